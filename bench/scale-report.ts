/**
 * The scale part's verdicts and table (issue 7, "Performance"). Each figure is printed next to its
 * baseline from the same invocation: the smallest run, the empty emulator, the empty-state start.
 */
import type { ScaleFigures } from './scale'

export const SCALE_TARGETS = {
  /** Wall time per invoice, largest run over smallest. */
  perInvoiceRatio: 1.5,
  /** Bytes the emulator writes per invoice, largest run over smallest. */
  bytesRatio: 1.5,
  /** invoice.create of 100 with 10,000 stored, over the same on an empty emulator. */
  createRatio: 1.5,
  /** The standalone emulator's start on a 10,000-invoice state. */
  startupMs: 3_000
}

export interface ScaleVerdict {
  target: string
  measured: string
  pass: boolean
}

const ms = (n: number): string => `${n.toFixed(0)} ms`
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`
const mb = (n: number): string => `${n.toFixed(0)} MB`
const times = (n: number): string => `${n.toFixed(2)}x`

function ends(
  figures: ScaleFigures
): { small: ScaleFigures['cli'][number]; large: ScaleFigures['cli'][number] } | undefined {
  const runs = [...figures.cli].sort((a, b) => a.invoices - b.invoices)
  const small = runs[0]
  const large = runs[runs.length - 1]
  return small && large ? { small, large } : undefined
}

export function scaleVerdicts(figures: ScaleFigures): ScaleVerdict[] {
  const verdicts: ScaleVerdict[] = []
  const pair = ends(figures)
  if (pair) {
    const { small, large } = pair
    const clean = figures.cli.every((r) => r.ok)
    const timeRatio = large.msPerInvoice / small.msPerInvoice
    verdicts.push({
      target: `CLI wall time per invoice at ${large.invoices} within ${SCALE_TARGETS.perInvoiceRatio}x of ${small.invoices}`,
      measured: `${figures.cli.map((r) => ms(r.msPerInvoice)).join(' / ')}, ratio ${times(timeRatio)}`,
      pass: clean && timeRatio <= SCALE_TARGETS.perInvoiceRatio
    })
    const bytesRatio = large.bytesPerInvoice / small.bytesPerInvoice
    verdicts.push({
      target: `emulator bytes written per invoice constant (within ${SCALE_TARGETS.bytesRatio}x)`,
      measured: `${figures.cli.map((r) => kb(r.bytesPerInvoice)).join(' / ')}, ratio ${times(bytesRatio)}`,
      pass: clean && bytesRatio <= SCALE_TARGETS.bytesRatio
    })
  }
  const createRatio = figures.create.fullMs / figures.create.emptyMs
  verdicts.push({
    target: `invoice.create of 100 with ${figures.create.stored} stored within ${SCALE_TARGETS.createRatio}x of empty`,
    measured: `${ms(figures.create.fullMs)} vs ${ms(figures.create.emptyMs)}, ratio ${times(createRatio)}`,
    pass: createRatio <= SCALE_TARGETS.createRatio
  })
  const { startup } = figures
  verdicts.push({
    target: `standalone emulator starts on a ${startup.invoices}-invoice state in < ${SCALE_TARGETS.startupMs / 1000} s`,
    measured:
      `${ms(startup.fullMs)} after a clean stop, ${ms(startup.crashedMs)} after a crash ` +
      `(empty state: ${ms(startup.emptyMs)})`,
    pass: Math.max(startup.fullMs, startup.crashedMs) < SCALE_TARGETS.startupMs
  })
  return verdicts
}

/** Table rows: metric, value, baseline / detail. */
export function scaleRows(figures: ScaleFigures): string[][] {
  const rows: string[][] = []
  const pair = ends(figures)
  for (const run of figures.cli) {
    rows.push([
      `CLI run of ${run.invoices} invoices`,
      `${ms(run.msPerInvoice)} / invoice`,
      `${(run.runMs / 1000).toFixed(1)} s (clock alone ${(run.clockFloorMs / 1000).toFixed(1)} s), ` +
        `CPU ${ms(run.cpuMsPerInvoice)} / invoice, ` +
        `emulator wrote ${kb(run.bytesPerInvoice)} / invoice (${run.snapshots} snapshots), ` +
        `peak RSS ${mb(run.peakRssMb)}` +
        (run.ok ? '' : `, NOT OK: ${run.problem ?? 'unknown'}`)
    ])
  }
  if (pair) {
    rows.push([
      `CLI peak memory at ${pair.large.invoices}`,
      mb(pair.large.peakRssMb),
      `${mb(pair.small.peakRssMb)} at ${pair.small.invoices} invoices`
    ])
  }
  rows.push([
    `invoice.create of 100, ${figures.create.stored} stored`,
    ms(figures.create.fullMs),
    `${ms(figures.create.emptyMs)} on an empty emulator (medians of ${figures.create.calls})`
  ])
  const { startup } = figures
  rows.push([
    `standalone start, ${startup.invoices} invoices`,
    ms(startup.fullMs),
    `CPU ${ms(startup.fullCpuMs)}; ${ms(startup.emptyMs)} (CPU ${ms(startup.emptyCpuMs)}) on an ` +
      `empty state; state on disk ${mb(startup.stateBytes / 1024 / 1024)}`
  ])
  rows.push([
    `standalone start after a crash`,
    ms(startup.crashedMs),
    `CPU ${ms(startup.crashedCpuMs)}; snapshot and log tail ${mb(startup.crashedStateBytes / 1024 / 1024)}`
  ])
  return rows
}

/** The scale part alone (`npm run bench -- --scale-only`). */
export function renderScale(figures: ScaleFigures): string {
  const rows = [['metric', 'value', 'baseline / detail'], ...scaleRows(figures)]
  const widths = (rows[0] as string[]).map((_, c) =>
    Math.max(...rows.map((r) => (r[c] ?? '').length))
  )
  const table = rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c] as number))
        .join('   ')
        .trimEnd()
    )
    .join('\n')
  const verdicts = scaleVerdicts(figures).map(
    (v) => `${v.pass ? 'PASS' : 'MISS'}  ${v.target}: ${v.measured}`
  )
  return [table, '', scaleNote(figures), '', ...verdicts].join('\n')
}

export function scaleNote(figures: ScaleFigures): string {
  return [
    `scale: CLI runs of batches of 10 at speed ${figures.speed}, ${figures.intervalMinutes} minutes ` +
      'apart, embedded emulator with its state file, timed from the ready line to run.completed; ' +
      'bytes are counted by the emulator (log commits and snapshots); starts are medians, ' +
      'alternating empty and full',
    // Not measured here: the figures issue 7 reports for the emulator before the change log.
    'scale, before the change log (issue 7, same machine kind, speed 20000, 3 h apart): 161 / 233 / ' +
      '337 ms per invoice at 80 / 160 / 320; 0.7 GB written for 80 invoices, 11 GB for 320; ' +
      'invoice.create of 100: 117 ms with 100 stored, 3,580 ms with 10,000; start on 9.5 MB: 112-130 s'
  ].join('\n')
}
