/**
 * The run on one line a presenter can point at: the planned batches over the 24 hours (filled once
 * issued, with their size), and when invoices were paid, credited and paid out, with a "now"
 * marker. Drawn in real pixels (not a scaled viewBox) so labels stay legible from the back row.
 */
import { useWidth } from '../../components/use-width'
import { useApp } from '../../store/context'
import { barPositions, spanOf, ticksOf, xOf } from './timeline-scale'

const GUTTER = 150
const PAD_RIGHT = 24
const AXIS_Y = 22
const BATCH_LANE = 42
const LANE = 28
const LANES = [
  { key: 'payments', label: 'Paid', className: 'tl-paid' },
  { key: 'credits', label: 'Credited', className: 'tl-credited' },
  { key: 'transfers', label: 'Transferred', className: 'tl-transferred' }
] as const

export function Timeline({ starkNow }: { starkNow: number | null }): React.JSX.Element | null {
  const run = useApp((s) => s.snapshot?.run ?? null)
  const journal = useApp((s) => s.journal)
  useApp((s) => s.journalVersion) // redraw when entries arrive
  const [ref, width] = useWidth<HTMLDivElement>(900)
  if (!run) return null

  const marks = journal.marks.runId === run.runId ? journal.marks : null
  const now = starkNow ?? run.startedAt
  const lastMark = Math.max(
    run.startedAt,
    ...(marks
      ? [marks.batches.at(-1)?.at ?? 0, marks.payments.at(-1) ?? 0, marks.transfers.at(-1) ?? 0]
      : [])
  )
  // A finished run is drawn to its last event; a live one to now (Stark's clock keeps running).
  const ended = run.completed || run.stopped
  const span = spanOf(run, ended ? lastMark : Math.max(lastMark, now))
  const plot = Math.max(100, width - GUTTER - PAD_RIGHT)
  const x = (at: number): number => GUTTER + xOf(at, span, plot)
  const height = AXIS_Y + 12 + BATCH_LANE + LANES.length * LANE + 24
  const laneTop = (i: number): number => AXIS_Y + 12 + BATCH_LANE + i * LANE
  const issued = new Map((marks?.batches ?? []).map((b) => [b.batch, b]))
  const barX = barPositions(
    run.sizes.map((_, k) => {
      const mark = issued.get(`b${k}`)
      return x(mark ? mark.at : run.startedAt + k * run.plan.intervalMs)
    })
  )
  const counts = {
    payments: marks?.payments.length ?? 0,
    credits: marks?.credits.length ?? 0,
    transfers: marks?.transfers.length ?? 0
  }
  const summary = `Run timeline: ${run.batchesIssued} of ${run.plan.batches} batches issued, ${counts.payments} paid, ${counts.credits} credited, ${counts.transfers} transferred`

  return (
    <div ref={ref} className="timeline">
      <svg width={width} height={height} role="img" aria-label={summary} data-testid="timeline">
        <title>{summary}</title>
        {ticksOf(span).map((t) => (
          <g key={t.at} className="tl-tick">
            <line x1={x(t.at)} x2={x(t.at)} y1={AXIS_Y + 4} y2={height - 4} />
            <text x={x(t.at)} y={AXIS_Y - 6} textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}

        <text className="tl-lane-label" x={12} y={AXIS_Y + 12 + BATCH_LANE / 2 + 5}>
          Batches {run.batchesIssued}/{run.plan.batches}
        </text>
        {run.sizes.map((size, k) => {
          const mark = issued.get(`b${k}`)
          const bx = barX[k]!
          const top = AXIS_Y + 18
          // Bunched bars (late batches land together) carry their count above, not beside.
          const roomy = k === run.sizes.length - 1 || barX[k + 1]! - bx > 34
          const label = mark
            ? `${mark.batch}: ${mark.count} invoices${mark.late ? ', issued late' : ''}`
            : `b${k}: ${size} invoices planned`
          return (
            <g
              key={k}
              className={
                mark ? (mark.late ? 'tl-batch tl-late' : 'tl-batch') : 'tl-batch tl-planned'
              }
            >
              <title>{label}</title>
              <rect x={bx - 7} y={top} width={14} height={BATCH_LANE - 16} rx={3} />
              {roomy ? (
                <text x={bx + 11} y={top + 20}>
                  {mark ? mark.count : size}
                </text>
              ) : (
                <text className="tl-count-above" x={bx} y={top - 3} textAnchor="middle">
                  {mark ? mark.count : size}
                </text>
              )}
            </g>
          )
        })}
        {(marks?.batches ?? [])
          .filter((b) => b.batch.startsWith('m'))
          .map((b) => (
            // A diamond in its own colour: not to be read as a Credited dot.
            <rect
              key={b.batch}
              className="tl-manual"
              x={x(b.at) - 5}
              y={AXIS_Y + 12 + BATCH_LANE - 11}
              width={10}
              height={10}
              transform={`rotate(45 ${x(b.at)} ${AXIS_Y + 12 + BATCH_LANE - 6})`}
            >
              <title>{`${b.batch}: one-click invoice`}</title>
            </rect>
          ))}

        {LANES.map((lane, i) => (
          <g key={lane.key} className={lane.className}>
            <line
              className="tl-lane-line"
              x1={GUTTER}
              x2={GUTTER + plot}
              y1={laneTop(i) + LANE / 2}
              y2={laneTop(i) + LANE / 2}
            />
            <text className="tl-lane-label" x={12} y={laneTop(i) + LANE / 2 + 5}>
              {lane.label} {counts[lane.key]}
            </text>
            {(marks?.[lane.key] ?? []).map((at, j) => (
              <circle key={j} cx={x(at)} cy={laneTop(i) + LANE / 2} r={5} />
            ))}
          </g>
        ))}

        {!run.completed && !run.stopped && (
          <g className="tl-now">
            <line x1={x(now)} x2={x(now)} y1={AXIS_Y + 2} y2={height - 18} />
            <text
              x={x(now)}
              y={height - 4}
              textAnchor={x(now) > width - 60 ? 'end' : 'start'}
              dx={x(now) > width - 60 ? -6 : 6}
            >
              now
            </text>
          </g>
        )}
      </svg>
      <ul className="tl-legend" aria-hidden="true">
        <li className="lg-issued">issued batch (invoices)</li>
        <li className="lg-late">issued late (after a pause or a busy engine)</li>
        <li className="lg-planned">planned</li>
        <li className="lg-manual">one-click invoice</li>
      </ul>
    </div>
  )
}
