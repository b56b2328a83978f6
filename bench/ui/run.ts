/**
 * `npm run bench:ui`: the live log's figures (issue 8, "Performance"), in Chromium, from one run:
 * 100,000 entries loaded (text filter time, rows in the DOM, JS heap) and 1,000 entries a second
 * for 10 s (long tasks, tail lag), for the real virtualized LiveLog next to the same entries in a
 * plain list. Entries go in through a test-only page (bench/ui/page) that uses the real store and
 * components. Exits 0 when the measurements ran (verdicts are printed), 2 when one broke.
 */
import { chromium, type Browser, type Page } from '@playwright/test'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { build, preview } from 'vite'

const ROOT = resolve(__dirname, '../..')
const OUT_DIR = join(ROOT, 'out/bench-ui')
const N = 100_000
const TARGET = { filterMs: 100, rows: 200, longTaskMs: 100, heapMb: 200 }

interface Bench {
  load(count: number): Promise<number>
  filter(text: string): Promise<{ ms: number; shown: number }>
  rowsInDom(): number
  stream(
    perSecond: number,
    seconds: number
  ): Promise<{
    elapsedMs: number
    pushed: number
    longTasks: number
    maxLongTaskMs: number
    maxLagEntries: number
    behindAtEnd: number
    following: boolean
  }>
}
type Stream = Awaited<ReturnType<Bench['stream']>>

async function open(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await page.goto(url)
  await page.waitForSelector('body[data-ready="true"]')
  return page
}

/** Calls `window.bench[fn](...args)` in the page (globalThis: this file builds without DOM types). */
const call = <T>(page: Page, fn: string, ...args: unknown[]): Promise<T> =>
  page.evaluate(
    ([name, rest]) =>
      (globalThis as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[
        name as string
      ]!(...(rest as unknown[])),
    [fn, args] as const
  ) as Promise<T>

/** Used JS heap after a full garbage collection, in MB (Chrome DevTools Protocol). */
async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }
  await cdp.detach()
  return usedSize / 1024 / 1024
}

interface LoadFigures {
  loadMs: number
  rows: number
  heapMb: number
  filters: { query: string; ms: number; shown: number; rows: number }[]
}

async function loaded(browser: Browser, url: string, queries: string[]): Promise<LoadFigures> {
  const page = await open(browser, url)
  const loadMs = await call<number>(page, 'load', N)
  const rows = await call<number>(page, 'rowsInDom')
  const heap = await heapMb(page)
  const filters: LoadFigures['filters'] = []
  for (const query of queries) {
    const f = await call<{ ms: number; shown: number }>(page, 'filter', query)
    filters.push({ query, ...f, rows: await call<number>(page, 'rowsInDom') })
  }
  await page.close()
  return { loadMs, rows, heapMb: heap, filters }
}

async function streamed(browser: Browser, url: string, preload: number): Promise<Stream> {
  const page = await open(browser, url)
  if (preload > 0) await call(page, 'load', preload)
  const figures = await call<Stream>(page, 'stream', 1000, 10)
  await page.close()
  return figures
}

const ms = (n: number): string => `${n.toFixed(1)} ms`
const row = (label: string, a: string, b: string, target = ''): string =>
  `${label.padEnd(46)}${a.padStart(20)}${b.padStart(20)}   ${target}`

async function main(): Promise<void> {
  process.stdout.write('bench:ui: building the bench page...\n')
  await build({
    root: join(__dirname, 'page'),
    base: './',
    logLevel: 'warn',
    plugins: [react()],
    configFile: false,
    // The page loads one module; the preload polyfill is not resolvable from a bare config.
    build: { outDir: OUT_DIR, emptyOutDir: true, modulePreload: { polyfill: false } }
  })
  const server = await preview({
    root: join(__dirname, 'page'),
    logLevel: 'warn',
    build: { outDir: OUT_DIR },
    preview: { host: '127.0.0.1', port: 0 }
  })
  const base = server.resolvedUrls?.local[0]
  if (!base) throw new Error('vite preview did not report its URL')
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run'
    ]
  })
  try {
    process.stdout.write(
      `bench:ui: Chromium ${browser.version()}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)}; ${N.toLocaleString('en')} entries\n`
    )
    // A common name, one invoice's id (lap 7), an amount prefix, and clearing the filter.
    const queries = ['saraiva', '60050421440973877', 'R$ 1', '']
    const virtual = await loaded(browser, `${base}?mode=virtual`, queries)
    const plain = await loaded(browser, `${base}?mode=plain`, queries)
    const streamVirtual = await streamed(browser, `${base}?mode=virtual`, 0)
    const streamPlain = await streamed(browser, `${base}?mode=plain`, 0)
    const streamVirtualFull = await streamed(browser, `${base}?mode=virtual`, N)

    const lines = [
      `(load average now ${loadavg()[0]!.toFixed(1)}: long tasks include time the OS gave to other processes)`,
      '',
      row('', 'virtualized LiveLog', 'plain list', 'target'),
      row(
        `${N.toLocaleString('en')} entries: append + paint`,
        ms(virtual.loadMs),
        ms(plain.loadMs)
      ),
      row('  rows in the DOM', String(virtual.rows), String(plain.rows), `<= ${TARGET.rows}`),
      row(
        '  JS heap after GC',
        `${virtual.heapMb.toFixed(1)} MB`,
        `${plain.heapMb.toFixed(1)} MB`,
        `< ${TARGET.heapMb} MB`
      )
    ]
    virtual.filters.forEach((f, i) => {
      const p = plain.filters[i]!
      const label =
        f.query === ''
          ? '  clear the text filter'
          : `  text filter "${f.query}" (${f.shown.toLocaleString('en')} match)`
      lines.push(row(label, ms(f.ms), ms(p.ms), `< ${TARGET.filterMs} ms`))
      lines.push(row('    rows in the DOM after', String(f.rows), String(p.rows)))
    })
    const s = (x: Stream): string => `${x.longTasks} (max ${x.maxLongTaskMs.toFixed(0)} ms)`
    lines.push(
      row(
        '1,000 entries/s for 10 s, from empty: long tasks',
        s(streamVirtual),
        s(streamPlain),
        `none > ${TARGET.longTaskMs} ms`
      ),
      row(
        '  tail lag, worst / at end (entries)',
        `${streamVirtual.maxLagEntries} / ${streamVirtual.behindAtEnd}`,
        `${streamPlain.maxLagEntries} / ${streamPlain.behindAtEnd}`,
        'at end 0'
      ),
      row(
        '  pushed in (wall)',
        `${streamVirtual.pushed} in ${(streamVirtual.elapsedMs / 1000).toFixed(1)} s`,
        `${streamPlain.pushed} in ${(streamPlain.elapsedMs / 1000).toFixed(1)} s`
      ),
      row(
        `same on top of ${N.toLocaleString('en')}: long tasks`,
        s(streamVirtualFull),
        'not run',
        `none > ${TARGET.longTaskMs} ms`
      ),
      row(
        '  tail lag, worst / at end (entries)',
        `${streamVirtualFull.maxLagEntries} / ${streamVirtualFull.behindAtEnd}`,
        '',
        'at end 0'
      )
    )
    const worstFilter = Math.max(...virtual.filters.map((f) => f.ms))
    const maxRows = Math.max(virtual.rows, ...virtual.filters.map((f) => f.rows))
    const verdicts = [
      [
        `text filter at ${N.toLocaleString('en')} < ${TARGET.filterMs} ms`,
        worstFilter < TARGET.filterMs,
        ms(worstFilter)
      ],
      [`rows in the DOM <= ${TARGET.rows}`, maxRows <= TARGET.rows, String(maxRows)],
      [
        `no long task > ${TARGET.longTaskMs} ms at 1,000 entries/s`,
        Math.max(streamVirtual.maxLongTaskMs, streamVirtualFull.maxLongTaskMs) <= TARGET.longTaskMs,
        `${Math.max(streamVirtual.maxLongTaskMs, streamVirtualFull.maxLongTaskMs).toFixed(0)} ms`
      ],
      [
        'the tail stays live (following, 0 behind at end)',
        streamVirtual.following &&
          streamVirtualFull.following &&
          streamVirtual.behindAtEnd === 0 &&
          streamVirtualFull.behindAtEnd === 0,
        `${streamVirtualFull.behindAtEnd} behind`
      ],
      [
        `JS heap after ${N.toLocaleString('en')} < ${TARGET.heapMb} MB`,
        virtual.heapMb < TARGET.heapMb,
        `${virtual.heapMb.toFixed(1)} MB`
      ]
    ] as const
    lines.push('')
    for (const [target, pass, measured] of verdicts)
      lines.push(`${pass ? 'PASS' : 'FAIL'}  ${target}: ${measured}`)
    process.stdout.write(`${lines.join('\n')}\n`)
    await mkdir(join(ROOT, 'bench/results'), { recursive: true })
    await writeFile(
      join(ROOT, 'bench/results/ui-latest.json'),
      JSON.stringify(
        {
          at: new Date().toISOString(),
          virtual,
          plain,
          streamVirtual,
          streamPlain,
          streamVirtualFull,
          verdicts
        },
        null,
        2
      )
    )
  } finally {
    await browser.close()
    await new Promise<void>((r) => server.httpServer.close(() => r()))
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ui failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(2)
})
