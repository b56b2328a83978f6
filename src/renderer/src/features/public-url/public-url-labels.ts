/** The public URL's states in words, for the panel's chip and the header's. */
import type { PublicUrlStatus } from '../../../../shared/contract'

export const STATE_TEXT: Record<PublicUrlStatus['state'], string> = {
  connecting: 'Connecting',
  up: 'Up',
  down: 'Down',
  stopped: 'Stopped'
}
