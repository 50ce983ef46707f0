import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileScratch } from '../src/node/file-scratch.js'
import { type ScratchSpace, createMemoryScratch } from '../src/scratch.js'

async function readText(scratch: ScratchSpace, name: string): Promise<string> {
  let text = ''
  for await (const chunk of scratch.read(name)) text += chunk
  return text
}

let parent: string
beforeEach(() => {
  parent = mkdtempSync(path.join(tmpdir(), 'scratch-test-'))
})
afterEach(() => {
  rmSync(parent, { recursive: true, force: true })
})

const kinds = [
  ['memory', () => createMemoryScratch()],
  ['file', () => createFileScratch({ parent })],
  ['file, flushing every append', () => createFileScratch({ parent, flushBytes: 1 })],
  ['file, flushing every few appends', () => createFileScratch({ parent, flushBytes: 10 })],
] as const

describe.each(kinds)('%s scratch', (_kind, create) => {
  it('reads back what was appended, in order, per spill', async () => {
    const scratch = create()
    scratch.append('a', 'one\n')
    scratch.append('b', 'B1|')
    scratch.append('a', 'two\n')
    scratch.append('b', 'B2|')
    scratch.append('a', 'three 📷 été\n')
    expect(await readText(scratch, 'a')).toBe('one\ntwo\nthree 📷 été\n')
    expect(await readText(scratch, 'b')).toBe('B1|B2|')
    await scratch.dispose()
  })

  it('reads a spill never appended to as empty', async () => {
    const scratch = create()
    expect(await readText(scratch, 'nothing')).toBe('')
    scratch.append('other', 'x')
    expect(await readText(scratch, 'nothing')).toBe('')
    await scratch.dispose()
  })

  it('reads the same text twice, and sees appends made after a read', async () => {
    const scratch = create()
    scratch.append('s', 'abc')
    expect(await readText(scratch, 's')).toBe('abc')
    scratch.append('s', 'def')
    expect(await readText(scratch, 's')).toBe('abcdef')
    await scratch.dispose()
  })

  it('holds large spills whole', async () => {
    const scratch = create()
    const line = `${'x'.repeat(1000)}\n`
    for (let i = 0; i < 3000; i++) scratch.append('big', line)
    const text = await readText(scratch, 'big')
    expect(text.length).toBe(3000 * line.length)
    expect(text).toBe(line.repeat(3000))
    await scratch.dispose()
  })

  it('can be disposed twice and forgets everything', async () => {
    const scratch = create()
    scratch.append('s', 'abc')
    await scratch.dispose()
    await scratch.dispose()
    expect(await readText(scratch, 's')).toBe('')
  })
})

describe('createFileScratch', () => {
  it('works in a fresh directory under the parent and removes it on dispose', async () => {
    const scratch = createFileScratch({ parent, flushBytes: 4 })
    expect(path.dirname(scratch.directory)).toBe(parent)
    expect(path.basename(scratch.directory)).toMatch(/^shuttersense-import-/)
    expect(existsSync(scratch.directory)).toBe(true)
    scratch.append('bucket-0', 'hello world')
    scratch.append('bucket-1', 'x')
    expect(readdirSync(scratch.directory)).toEqual(['bucket-0.spill'])
    expect(await readText(scratch, 'bucket-1')).toBe('x')
    expect(readdirSync(scratch.directory).sort()).toEqual(['bucket-0.spill', 'bucket-1.spill'])
    await scratch.dispose()
    expect(existsSync(scratch.directory)).toBe(false)
    expect(readdirSync(parent)).toEqual([])
  })

  it('buffers appends until flushBytes is reached', async () => {
    const scratch = createFileScratch({ parent, flushBytes: 1000 })
    scratch.append('s', 'small')
    expect(readdirSync(scratch.directory)).toEqual([])
    expect(await readText(scratch, 's')).toBe('small')
    await scratch.dispose()
  })

  it('bounds what it buffers across all spills, not per spill', async () => {
    const scratch = createFileScratch({ parent, flushBytes: 10 })
    scratch.append('first', 'aaaaaa')
    expect(readdirSync(scratch.directory)).toEqual([])
    scratch.append('second', 'bbbbbb')
    expect(readdirSync(scratch.directory).sort()).toEqual(['first.spill', 'second.spill'])
    scratch.append('first', 'cc')
    expect(await readText(scratch, 'first')).toBe('aaaaaacc')
    expect(await readText(scratch, 'second')).toBe('bbbbbb')
    await scratch.dispose()
  })

  it('keeps spill files inside its directory whatever the name', async () => {
    const scratch = createFileScratch({ parent, flushBytes: 1 })
    scratch.append('../escape/../../x', 'data')
    expect(readdirSync(parent)).toEqual([path.basename(scratch.directory)])
    expect(readdirSync(scratch.directory)).toHaveLength(1)
    expect(await readText(scratch, '../escape/../../x')).toBe('data')
    await scratch.dispose()
  })

  it('defaults to the system temporary directory', async () => {
    const scratch = createFileScratch()
    try {
      expect(path.dirname(scratch.directory)).toBe(tmpdir())
      scratch.append('s', 'x')
      expect(await readText(scratch, 's')).toBe('x')
    } finally {
      await scratch.dispose()
    }
    expect(existsSync(scratch.directory)).toBe(false)
  })

  it('flush writes out every buffered spill and answers their files', async () => {
    const scratch = createFileScratch({ parent, flushBytes: 1000 })
    scratch.append('a', 'one')
    scratch.append('b', 'two')
    const files = scratch.flush()
    expect([...files.keys()].sort()).toEqual(['a', 'b'])
    expect(readFileSync(files.get('a')!, 'utf8')).toBe('one')
    expect(readFileSync(files.get('b')!, 'utf8')).toBe('two')
    expect(path.dirname(files.get('a')!)).toBe(scratch.directory)
    await scratch.dispose()
  })

  it('reads adopted files after its own text, and deletes them on dispose', async () => {
    const scratch = createFileScratch({ parent })
    // As a worker thread does: a scratch of its own inside this one, handed over file by file.
    const inner = createFileScratch({ parent: scratch.directory })
    inner.append('bucket-0', 'from a worker\n')
    inner.append('bucket-1', 'only adopted 📷\n')
    scratch.append('bucket-0', 'from here\n')
    for (const [name, file] of inner.flush()) scratch.adoptFile(name, file)
    expect(await readText(scratch, 'bucket-0')).toBe('from here\nfrom a worker\n')
    expect(await readText(scratch, 'bucket-1')).toBe('only adopted 📷\n')
    await scratch.dispose()
    expect(existsSync(inner.directory)).toBe(false)
    expect(readdirSync(parent)).toEqual([])
  })

  it('reads back multi-byte characters cut by the 1 MiB read boundary, whatever the cut', async () => {
    const scratch = createFileScratch({ parent })
    const piece = 1024 * 1024
    for (let offset = 0; offset <= 4; offset++) {
      // 📷 is 4 bytes, 東 3, é 2: one of them straddles the boundary at each offset.
      const text = `${'x'.repeat(piece - offset)}📷東é\n${'ascii after\n'.repeat(10)}é`
      scratch.append(`s${offset}`, text)
      expect(await readText(scratch, `s${offset}`)).toBe(text)
    }
    await scratch.dispose()
  })

  it('decodes a spill that is not ASCII anywhere', async () => {
    const scratch = createFileScratch({ parent, flushBytes: 1000 })
    const text = 'été 東京 📷 '.repeat(200_000)
    scratch.append('s', text)
    expect(await readText(scratch, 's')).toBe(text)
    await scratch.dispose()
  })
})
