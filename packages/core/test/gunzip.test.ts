import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { gunzip } from '../src/io/gunzip.js'
import {
  awsFixture,
  chunked,
  collectBytes,
  expectCode,
  failingAfter,
  fromChunks,
  randomSizes,
  seededRandom,
} from './helpers.js'

describe('gunzip', () => {
  it('decompresses the real AWS data file', async () => {
    const name = 'csv_inventory.csv.gz'
    const out = await collectBytes(gunzip(fromChunks([awsFixture(name)]), name))
    const text = out.toString('utf8')
    expect(text.split('\n')).toHaveLength(6)
    expect(text.endsWith('\n')).toBe(true)
    expect(text.startsWith('"filemanager-inventory-test","inventory-test/",')).toBe(true)
  })

  it('decompresses whatever the input chunking', async () => {
    const original = Buffer.from('line of text\n'.repeat(5000))
    const compressed = gzipSync(original)
    expect((await collectBytes(gunzip(chunked(compressed, 1), 'f.gz'))).equals(original)).toBe(true)
    const random = seededRandom(3)
    const sizes = randomSizes(compressed.length, 100, random)
    expect((await collectBytes(gunzip(chunked(compressed, sizes), 'f.gz'))).equals(original)).toBe(true)
  })

  it('decompresses output larger than one output chunk (back pressure)', async () => {
    const original = Buffer.concat([randomBytes(600 * 1024), Buffer.alloc(2 * 1024 * 1024, 0x61)])
    const compressed = gzipSync(original)
    expect((await collectBytes(gunzip(chunked(compressed, 64 * 1024), 'big.gz'))).equals(original)).toBe(true)
  })

  it('reads every member of a multi-member gzip file', async () => {
    const parts = ['first member\n', 'second member\n', 'third member\n']
    const compressed = Buffer.concat(parts.map((part) => gzipSync(Buffer.from(part))))
    const out = await collectBytes(gunzip(chunked(compressed, 7), 'multi.gz'))
    expect(out.toString('utf8')).toBe(parts.join(''))
  })

  it('turns a truncated file into DATA_FILE_CORRUPT naming the file', async () => {
    const compressed = gzipSync(Buffer.from('some text that gets cut off\n'.repeat(100)))
    const truncated = compressed.subarray(0, compressed.length - 10)
    const read = () => collectBytes(gunzip(chunked(truncated, 16), 'data/a.csv.gz'))
    const error = await expectCode(read, 'DATA_FILE_CORRUPT')
    expect(error.file).toBe('data/a.csv.gz')
    expect(error.message).toContain('data/a.csv.gz')
  })

  it('turns bytes that are not gzip into DATA_FILE_CORRUPT', async () => {
    const error = await expectCode(
      () => collectBytes(gunzip(fromChunks([Buffer.from('"bucket","key","5"\n')]), 'plain.csv')),
      'DATA_FILE_CORRUPT',
    )
    expect(error.file).toBe('plain.csv')
  })

  it('turns a corrupted body into DATA_FILE_CORRUPT', async () => {
    const compressed = Buffer.from(gzipSync(randomBytes(10_000)))
    for (let i = 20; i < compressed.length - 20; i += 97) compressed[i] = compressed[i]! ^ 0xff
    await expectCode(() => collectBytes(gunzip(chunked(compressed, 512), 'x.gz')), 'DATA_FILE_CORRUPT')
  })

  it('passes an error of the input through unchanged', async () => {
    const failure = new Error('connection reset')
    const compressed = gzipSync(Buffer.from('hello\n'.repeat(1000)))
    const input = failingAfter([compressed.subarray(0, 20)], failure)
    await expect(collectBytes(gunzip(input, 'f.gz'))).rejects.toBe(failure)
  })

  it('passes an input error that comes before any byte through unchanged', async () => {
    const failure = Object.assign(new Error('denied'), { code: 'ACCESS_DENIED' })
    await expect(collectBytes(gunzip(failingAfter([], failure), 'f.gz'))).rejects.toBe(failure)
  })

  it('stops reading the input when the consumer breaks out early', async () => {
    const compressed = gzipSync(randomBytes(4 * 1024 * 1024))
    let pulled = 0
    let finished = false
    async function* input(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of chunked(compressed, 16 * 1024)) {
          pulled++
          yield chunk
        }
      } finally {
        finished = true
      }
    }
    for await (const out of gunzip(input(), 'f.gz')) {
      expect(out.length).toBeGreaterThan(0)
      break
    }
    expect(finished).toBe(true)
    expect(pulled).toBeLessThan(Math.ceil(compressed.length / (16 * 1024)))
  })
})
