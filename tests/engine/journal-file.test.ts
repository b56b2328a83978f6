/**
 * Reading the journal file line by line without holding it whole: lines that cross chunk borders,
 * multi-byte names, an unterminated last line and a runaway "line" keep exact byte offsets.
 */
import { open, writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_LINE_BYTES, scanLines, type Line } from '../../src/main/engine/journal-file'
import { journalKit, type Kit } from '../helpers/journal-kit'

let kit: Kit | undefined
afterEach(async () => {
  await kit?.cleanup()
  kit = undefined
})

async function scan(
  file: string,
  chunkBytes: number
): Promise<{ lines: Omit<Line, 'number'>[]; end: number }> {
  const handle = await open(file, 'r')
  const lines: Line[] = []
  try {
    const { end } = await scanLines(handle, (line) => void lines.push(line), { chunkBytes })
    return { lines: lines.map(({ number: _n, ...rest }) => rest), end }
  } finally {
    await handle.close()
  }
}

describe('journal file scanning', () => {
  it('When lines cross chunk borders and carry multi-byte text, Then every line and byte offset is exact, whatever the chunk size', async () => {
    // Arrange
    kit = await journalKit()
    const texts = ['{"name":"João"}', '', '{"name":"Conceição Araújo"}', '{"a":1}', '{"€":"ç"}']
    const content = texts.join('\n') + '\n' + '{"torn":'
    await writeFile(kit.file, content)
    const expected: Omit<Line, 'number'>[] = []
    let offset = 0
    for (const text of texts) {
      const length = Buffer.byteLength(text)
      expected.push({ offset, text, terminated: true, length, overlong: false })
      offset += length + 1
    }
    expected.push({ offset, text: '{"torn":', terminated: false, length: 8, overlong: false })

    for (const chunkBytes of [1, 2, 3, 5, 7, 16, 64, 1 << 20]) {
      // Act
      const { lines, end } = await scan(kit.file, chunkBytes)

      // Assert
      expect(lines, `chunk ${chunkBytes}`).toEqual(expected)
      expect(end).toBe(Buffer.byteLength(content))
    }
  })

  it('When a "line" is longer than the limit, Then it is reported as overlong without holding its text, and the next line is still exact', async () => {
    kit = await journalKit()
    const huge = 'x'.repeat(MAX_LINE_BYTES + 10)
    await writeFile(kit.file, `{"a":1}\n${huge}\n{"b":2}\n${huge}`)

    const { lines } = await scan(kit.file, 64 * 1024)

    expect(lines).toEqual([
      { offset: 0, text: '{"a":1}', terminated: true, length: 7, overlong: false },
      { offset: 8, text: '', terminated: true, length: huge.length, overlong: true },
      {
        offset: 9 + huge.length,
        text: '{"b":2}',
        terminated: true,
        length: 7,
        overlong: false
      },
      { offset: 17 + huge.length, text: '', terminated: false, length: huge.length, overlong: true }
    ])
  })
})
