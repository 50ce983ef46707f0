import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RandomAccessFile, createMemoryRandomAccessFile, stageInMemory } from '../src/io/random-access-file.js'
import { verifyMd5, md5Hex } from '../src/manifest/checksum.js'
import { createFileScratch } from '../src/node/file-scratch.js'
import { openRandomAccessFile } from '../src/node/node-random-access-file.js'
import { stageDataFile } from '../src/pipeline/staged-data-file.js'
import { createMemoryScratch } from '../src/scratch.js'
import { chunked, expectCode } from './helpers.js'

let parent: string
beforeEach(() => {
  parent = mkdtempSync(path.join(tmpdir(), 'random-access-test-'))
})
afterEach(() => {
  rmSync(parent, { recursive: true, force: true })
})

const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 251)

/** One suite for the seam, run against every implementation. */
const implementations: [string, () => Promise<RandomAccessFile>][] = [
  ['memory', async () => createMemoryRandomAccessFile(bytes, 'data.bin')],
  ['memory, staged from chunks', () => stageInMemory(chunked(bytes, 33), 'data.bin')],
  [
    'node file handle',
    async () => {
      const file = path.join(parent, 'data.bin')
      writeFileSync(file, bytes)
      return openRandomAccessFile(file, { name: 'data.bin' })
    },
  ],
  ['file scratch, staged', () => createFileScratch({ parent }).stageFile!('data.bin', chunked(bytes, 100))],
]

describe.each(implementations)('RandomAccessFile: %s', (_name, open) => {
  it('knows its size and reads any range exactly', async () => {
    const file = await open()
    expect(file.size).toBe(1000)
    expect([...(await file.read(0, 4))]).toEqual([...bytes.subarray(0, 4)])
    expect([...(await file.read(990, 10))]).toEqual([...bytes.subarray(990)])
    expect([...(await file.read(500, 0))]).toEqual([])
    await file.close()
  })

  it('rejects a read past the end as DATA_FILE_CORRUPT naming the file', async () => {
    const file = await open()
    const error = await expectCode(() => file.read(995, 10), 'DATA_FILE_CORRUPT')
    expect(error.message).toContain('data.bin')
    await expectCode(() => file.read(-1, 2), 'DATA_FILE_CORRUPT')
    await file.close()
  })

  it('refuses reads after close; closing twice is harmless', async () => {
    const file = await open()
    await file.close()
    await file.close()
    await expect(file.read(0, 1)).rejects.toThrow()
  })
})

describe('stageDataFile', () => {
  const md5 = md5Hex(bytes)
  const scratches = [
    ['memory', () => createMemoryScratch()],
    ['file', () => createFileScratch({ parent })],
    ['none (in memory)', () => undefined],
  ] as const

  it.each(scratches)('gives the verified bytes for random access (%s scratch)', async (_kind, create) => {
    const staged = stageDataFile(() => verifyMd5(chunked(bytes, 64), md5, 'data/a.parquet'), 'data/a.parquet', create())
    const file = await staged.openFile()
    expect(file.size).toBe(bytes.length)
    expect([...(await file.read(100, 3))]).toEqual([...bytes.subarray(100, 103)])
    await staged.closeAll()
  })

  it.each(scratches)('rejects with CHECKSUM_MISMATCH before handing out a file (%s scratch)', async (_kind, create) => {
    const staged = stageDataFile(() => verifyMd5(chunked(bytes, 64), md5Hex(Buffer.from('other')), 'data/a.parquet'), 'data/a.parquet', create())
    const error = await expectCode(() => staged.openFile(), 'CHECKSUM_MISMATCH')
    expect(error.file).toBe('data/a.parquet')
  })

  const stagedFiles = (directory: string): string[] => {
    try {
      return readdirSync(path.join(directory, 'staged'))
    } catch {
      return []
    }
  }

  it('deletes the staged copy on close, and leaves none when the checksum fails', async () => {
    const scratch = createFileScratch({ parent })
    const good = stageDataFile(() => verifyMd5(chunked(bytes, 64), md5, 'a.parquet'), 'a.parquet', scratch)
    const file = await good.openFile()
    expect(stagedFiles(scratch.directory)).toHaveLength(1)
    await file.close()
    expect(stagedFiles(scratch.directory)).toEqual([])

    const bad = stageDataFile(() => verifyMd5(chunked(bytes, 64), md5Hex(Buffer.from('x')), 'b.parquet'), 'b.parquet', scratch)
    await expectCode(() => bad.openFile(), 'CHECKSUM_MISMATCH')
    expect(stagedFiles(scratch.directory)).toEqual([])

    const left = stageDataFile(() => chunked(bytes, 64), 'c.parquet', scratch)
    await left.openFile()
    await left.openFile()
    expect(stagedFiles(scratch.directory)).toHaveLength(2)
    await left.closeAll()
    expect(stagedFiles(scratch.directory)).toEqual([])
    await scratch.dispose()
  })
})
