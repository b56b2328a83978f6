/**
 * The timeline's geometry, kept pure for tests: the span it covers (the plan's 24 hours, stretched
 * if the run goes on longer), where a time falls on it, and hour ticks a room can read.
 */
const HOUR = 3_600_000

export interface Span {
  start: number
  end: number
}

export function spanOf(
  run: { startedAt: number; plan: { batches: number; intervalMs: number; settleMs: number } },
  latest: number
): Span {
  const planned = Math.max(
    run.plan.batches * run.plan.intervalMs,
    (run.plan.batches - 1) * run.plan.intervalMs + run.plan.settleMs
  )
  return { start: run.startedAt, end: Math.max(run.startedAt + planned, latest) }
}

/** X position (0..width) of a time on the span, clamped to the edges. */
export function xOf(at: number, span: Span, width: number): number {
  const length = Math.max(1, span.end - span.start)
  return Math.min(width, Math.max(0, ((at - span.start) / length) * width))
}

/** Tick step and labels: at most about `maxTicks`, on whole hours when the span is hours long. */
export function ticksOf(span: Span, maxTicks = 9): { at: number; label: string }[] {
  const length = span.end - span.start
  const steps = [
    60_000,
    5 * 60_000,
    15 * 60_000,
    30 * 60_000,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    24 * HOUR
  ]
  const step =
    steps.find((s) => length / s <= maxTicks - 1) ??
    Math.ceil(length / (maxTicks - 1) / HOUR) * HOUR
  const ticks: { at: number; label: string }[] = []
  for (let t = 0; t <= length + 1; t += step) {
    ticks.push({ at: span.start + t, label: offsetLabel(t) })
  }
  return ticks
}

/** "0 h", "3 h", "1 h 30", "45 min": time since the run started. */
export function offsetLabel(ms: number): string {
  const hours = Math.floor(ms / HOUR)
  const minutes = Math.round((ms % HOUR) / 60_000)
  if (hours === 0) return minutes === 0 ? '0 h' : `${minutes} min`
  return minutes === 0 ? `${hours} h` : `${hours} h ${String(minutes).padStart(2, '0')}`
}

/** Bars closer than this are drawn side by side, so none hides another (or its count). */
const BAR_GAP = 20

/** Each bar at its time, pushed right just enough not to cover the one before it. */
export function barPositions(xs: readonly number[]): number[] {
  const out: number[] = []
  for (const at of xs) {
    const before = out.at(-1)
    out.push(before === undefined ? at : Math.max(at, before + BAR_GAP))
  }
  return out
}
