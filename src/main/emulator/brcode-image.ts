/**
 * The invoice's BR Code as a QR image, as `GET /v2/invoice/{id}/qrcode` serves it. Drawn with
 * `qrcode` (MIT, the most used QR encoder on npm; 1.5.4 has no open advisory) rather than by hand:
 * QR encoding (masking, Reed-Solomon blocks, version choice) is easy to get subtly wrong.
 */
import { toBuffer } from 'qrcode'

/** Stark's `size`: pixels per module ("box"), 1 to 50, 7 by default (shared/stark-api.md §3.1). */
export const QR_SIZE = { min: 1, max: 50, default: 7 }

/** A PNG of `brcode` with `pixelsPerModule` pixels per module and the standard 4-module margin. */
export function brcodePng(brcode: string, pixelsPerModule: number): Promise<Buffer> {
  return toBuffer(brcode, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 4,
    scale: pixelsPerModule
  })
}
