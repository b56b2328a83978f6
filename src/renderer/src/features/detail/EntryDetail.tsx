/** A log line that belongs to no single invoice (a run, a batch, a rejected delivery, an error). */
import { describeEntry } from '../../../../shared/describe'
import { CopyBlock } from '../../components/CopyBlock'
import { formatStarkTime } from '../../lib/format'
import { useApp } from '../../store/context'
import { prettyBody, rawBodyOf } from '../log/entry-links'

export function EntryDetail({ seq }: { seq: number }): React.JSX.Element {
  const journal = useApp((s) => s.journal)
  const entry = journal.entries.find((e) => e.seq === seq)
  if (!entry) return <p className="empty">Entry #{seq} is not loaded.</p>
  const raw = rawBodyOf(entry)
  return (
    <div className="entry-detail">
      <p className="lead">{describeEntry(entry)}</p>
      <p className="muted">
        {entry.type} · {formatStarkTime(entry.at)}
      </p>
      {entry.type === 'webhook.rejected' && 'answer' in entry && (
        <p>
          Our answer: <strong>{entry.answer}</strong> ({entry.reason}). Nothing was acted on.
        </p>
      )}
      {raw && <CopyBlock text={prettyBody(raw)} label={`Raw body (${raw.length} characters)`} />}
      <CopyBlock text={JSON.stringify(entry, null, 2)} label="Journal entry" />
    </div>
  )
}
