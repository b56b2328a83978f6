/** The invoice's Pix QR code (a PNG of its BR Code, from `invoice:qrcode`). */
import { useEffect, useState } from 'react'
import { ControlMessage } from '../../components/ControlMessage'
import { useApp } from '../../store/context'

export function QrCode({ invoiceId }: { invoiceId: string }): React.JSX.Element {
  const loadQrCode = useApp((s) => s.loadQrCode)
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    void loadQrCode(invoiceId).then((url) => {
      if (live) setSrc(url)
    })
    return () => {
      live = false
    }
  }, [invoiceId, loadQrCode])
  return (
    <figure className="qr">
      {src ? (
        <img src={src} alt={`Pix QR code of invoice ${invoiceId}`} width={144} height={144} />
      ) : (
        <div className="qr-placeholder" aria-hidden="true" />
      )}
      <figcaption>Pix QR code</figcaption>
      <ControlMessage control={`invoice:qrcode:${invoiceId}`} />
    </figure>
  )
}
