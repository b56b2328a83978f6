/**
 * One Stark event in an invoice's chain: what it said, how it reached us (webhook, catch-up,
 * replay), the signature verdict, what we answered, and Replay (which must come back a duplicate).
 */
import type { JournalEntry } from '../../../../shared/journal'
import { formatBRL } from '../../../../shared/money'
import { ActionButton } from '../../components/ActionButton'
import { CopyBlock } from '../../components/CopyBlock'
import { formatStarkTime } from '../../lib/format'
import { useApp } from '../../store/context'
import { prettyBody, rawBodyOf } from '../log/entry-links'

type EventEntry = Extract<JournalEntry, { type: 'event.received' }>

const SOURCE_TEXT: Record<EventEntry['source'], string> = {
  webhook: 'webhook',
  'catch-up': 'catch-up (fetched by us)',
  replay: 'replay',
  reconcile: 'reconcile (fetched by us)'
}

/** What the sender got back: only webhook deliveries get an HTTP answer. */
function answerOf(entry: EventEntry): string {
  if (entry.source !== 'webhook') return 'none (we fetched it)'
  return '200 OK (recorded before answering)'
}

export function EventItem({
  entry,
  highlight
}: {
  entry: EventEntry
  highlight: boolean
}): React.JSX.Element {
  const replayEvent = useApp((s) => s.replayEvent)
  const raw = rawBodyOf(entry)
  return (
    <li
      className={`event${highlight ? ' highlight' : ''}`}
      data-event={entry.eventId}
      data-source={entry.source}
    >
      <div className="event-head">
        <strong>
          {entry.subscription} {entry.logType}
        </strong>
        <span className={`pill pill-verdict-${entry.verdict}`}>{entry.verdict}</span>
        <span className="muted mono">{formatStarkTime(entry.at)}</span>
      </div>
      <dl className="facts">
        <dt>Source</dt>
        <dd>{SOURCE_TEXT[entry.source]}</dd>
        <dt>Signature</dt>
        <dd>valid (checked on the raw bytes before anything was recorded)</dd>
        <dt>Our answer</dt>
        <dd>{answerOf(entry)}</dd>
        <dt>Event</dt>
        <dd className="mono">{entry.eventId}</dd>
        {entry.credit && (
          <>
            <dt>Credit</dt>
            <dd>
              {formatBRL(entry.credit.amount)}, fee {formatBRL(entry.credit.fee)}
            </dd>
          </>
        )}
        {entry.note && (
          <>
            <dt>Note</dt>
            <dd>{entry.note}</dd>
          </>
        )}
      </dl>
      {raw && <CopyBlock text={prettyBody(raw)} label="Raw body" />}
      <ActionButton
        control={`event:replay:${entry.eventId}`}
        label="Replay event"
        onPress={() => replayEvent(entry.eventId)}
      />
    </li>
  )
}
