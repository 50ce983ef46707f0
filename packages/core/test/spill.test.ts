import { describe, expect, it } from 'vitest'
import { createFileScratch } from '../src/node/file-scratch.js'
import { SpillBytes, encodeSpillLine, spillBucketCount, spillBucketOf } from '../src/pipeline/spill.js'
import { SpilledBucket } from '../src/pipeline/spilled-bucket.js'
import { appendSpill, createMemoryScratch, readSpillBytes } from '../src/scratch.js'
import type { FileInfo } from '../src/types.js'
import { fromChunks, seededRandom } from './helpers.js'

const T = '2024-05-06T22:44:22.000Z'

function f(key: string, extra: Partial<FileInfo> = {}): FileInfo {
  return { key, size: 123, lastModified: T, etag: 'd8e8fca2', storageClass: 'STANDARD', ...extra }
}

const RECORDS: [number, FileInfo][] = [
  [0, f('plain/key.jpg')],
  [1, f('tab\there.jpg')],
  [2, f('new\nline.jpg')],
  [3, f('carriage\rreturn.jpg')],
  [4, f('back\\slash\\n-not-a-newline.jpg')],
  [5, f('double\\\\back\\\\t.jpg')],
  [6, f('emoji 📷🎉/été/東京.jpg')],
  [7, f('all\t\n\r\\mixed\\\t', { etag: 'e\ttag', storageClass: 'GLA\\CIER' })],
  [8, f('empty-fields.jpg', { etag: '', storageClass: '', size: 0 })],
  [255, f('ends-with-backslash\\')],
  [9, f('trailing-newline\n')],
  [10, f(' spaces  and "quotes" ')],
  [11, f('big.bin', { size: 5_497_558_138_880 })],
]

describe('encodeSpillLine', () => {
  it('writes one line per record, ending in a newline, with no raw tab, CR or newline inside a field', () => {
    for (const [index, record] of RECORDS) {
      const line = encodeSpillLine(index, record)
      expect(line.endsWith('\n')).toBe(true)
      expect(line.slice(0, -1)).not.toMatch(/[\n\r]/)
      expect(line.split('\t')).toHaveLength(6)
    }
  })

  it('leaves a key without special characters as it is', () => {
    expect(encodeSpillLine(3, f('a/b.jpg'))).toBe(`3\ta/b.jpg\t123\t${T}\td8e8fca2\tSTANDARD\n`)
  })

  it('escapes tab, newline, CR and backslash', () => {
    expect(encodeSpillLine(0, f('a\tb\nc\rd\\e'))).toContain('a\\tb\\nc\\rd\\\\e')
  })
})

/** Every record of a bucket read from byte `chunks`, as (collection index, FileInfo) pairs, collection by collection. */
async function decodeAll(chunks: Uint8Array[], indexes = [...new Set(RECORDS.map(([index]) => index))]): Promise<[number, FileInfo][]> {
  const bucket = await SpilledBucket.read(fromChunks(chunks))
  return indexes.flatMap((index) => bucket.filesOf(index).map((file): [number, FileInfo] => [index, file]))
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8')

describe('SpilledBucket', () => {
  const bytes = utf8(RECORDS.map(([index, record]) => encodeSpillLine(index, record)).join(''))

  it('round-trips every record', async () => {
    expect(await decodeAll([bytes])).toEqual(RECORDS)
  })

  it('groups lines by collection, each in spill order, whatever the order of collections', async () => {
    const lines: [number, FileInfo][] = []
    const random = seededRandom(4)
    for (let i = 0; i < 500; i++) lines.push([40 + Math.floor(random() * 7), f(`k${i}`, { size: i })])
    const bucket = new SpilledBucket(utf8(lines.map(([index, file]) => encodeSpillLine(index, file)).join('')))
    expect(bucket.size).toBe(500)
    for (let index = 38; index < 50; index++) {
      expect(bucket.filesOf(index)).toEqual(lines.filter(([at]) => at === index).map(([, file]) => file))
    }
    // Asked again, a collection's records are the same.
    expect(bucket.filesOf(41)).toEqual(lines.filter(([at]) => at === 41).map(([, file]) => file))
  })

  it('round-trips across every possible two-way split of its bytes, and one byte per chunk', async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(RECORDS)
    }
    expect(await decodeAll(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(RECORDS)
  })

  it('gives every storage class and ETag as written, one after another', async () => {
    const classes = ['STANDARD', 'STANDARD', 'GLACIER', 'STANDARD_IA', 'STANDARD', '', 'GLACIER_IR', 'GLACIER']
    const files = classes.map((storageClass, i) => f(`${i}.jpg`, { storageClass, etag: `e${i}` }))
    const bucket = new SpilledBucket(utf8(files.map((file) => encodeSpillLine(3, file)).join('')))
    expect(bucket.filesOf(3)).toEqual(files)
  })

  it('reads a last line without its newline', async () => {
    const line = encodeSpillLine(4, f('x.jpg'))
    expect(await decodeAll([utf8(line.slice(0, -1))], [4])).toEqual([[4, f('x.jpg')]])
  })

  it('reads nothing from no bytes', async () => {
    expect(await decodeAll([])).toEqual([])
    expect(await decodeAll([new Uint8Array(0), new Uint8Array(0)])).toEqual([])
    expect(new SpilledBucket(new Uint8Array(0)).filesOf(0)).toEqual([])
  })
})

describe('spillBucketCount', () => {
  it('is at least 1', () => {
    expect(spillBucketCount(0, 0)).toBe(1)
    expect(spillBucketCount(10, 0)).toBe(1)
    expect(spillBucketCount(1, 10_000_000_000)).toBe(1)
  })

  it('grows with the estimated rows, 50k rows (1.25 MB compressed) per bucket', () => {
    expect(spillBucketCount(100, 1_250_000)).toBe(1)
    expect(spillBucketCount(100, 1_250_001)).toBe(2)
    expect(spillBucketCount(100, 12_500_000)).toBe(10)
  })

  it('never exceeds the number of collections or 256', () => {
    expect(spillBucketCount(3, 12_500_000)).toBe(3)
    expect(spillBucketCount(10_000, 10_000_000_000)).toBe(256)
  })
})

describe('spillBucketOf', () => {
  it('gives consecutive collections the same bucket, in order, using every bucket', () => {
    for (const [collections, buckets] of [[1003, 27], [10, 10], [7, 3], [1, 1], [256, 256], [5000, 256]] as const) {
      const assigned = Array.from({ length: collections }, (_, index) => spillBucketOf(index, collections, buckets))
      expect(assigned[0]).toBe(0)
      expect(assigned.at(-1)).toBe(buckets - 1)
      for (let i = 1; i < assigned.length; i++) expect(assigned[i]! - assigned[i - 1]!).toBeOneOf([0, 1])
      const sizes = new Map<number, number>()
      for (const bucket of assigned) sizes.set(bucket, (sizes.get(bucket) ?? 0) + 1)
      expect(sizes.size).toBe(buckets)
      // Balanced: no bucket holds more than one collection above another.
      expect(Math.max(...sizes.values()) - Math.min(...sizes.values())).toBeLessThanOrEqual(1)
    }
  })
})

describe('SpillBytes', () => {
  const odd: [number, FileInfo][] = [
    ...RECORDS,
    [12, f(`long/${'é'.repeat(500)}${'k'.repeat(3000)}\t${'📷'.repeat(100)}`)],
    [13, f('控制\u0001字符\u007f/x')],
  ]
  it("writes encodeSpillLine's bytes, from a FileInfo or field by field from raw bytes", () => {
    const fromFiles = new SpillBytes()
    const fromFields = new SpillBytes()
    for (const [index, file] of odd) {
      fromFiles.line(index, file)
      const record = new SpillBytes()
      for (const [i, text] of [file.key, file.lastModified, file.etag, file.storageClass].entries()) {
        if (i === 1) {
          record.tab()
          record.number(file.size)
        }
        if (i > 0) record.tab()
        const bytes = utf8(text)
        record.field(bytes, 0, bytes.length)
      }
      record.newline()
      const bytes = record.take()
      fromFields.prefixed(index, bytes, 0, bytes.length)
    }
    const expected = odd.map(([index, file]) => encodeSpillLine(index, file)).join('')
    expect(Buffer.from(fromFiles.take()).toString('utf8')).toBe(expected)
    expect(Buffer.from(fromFields.take()).toString('utf8')).toBe(expected)
    expect(fromFiles.length).toBe(0)
  })

  it.each([
    ['a file scratch', () => createFileScratch({ flushBytes: 1000 })],
    ['a memory scratch (bytes encoded from its text)', createMemoryScratch],
  ])('round-trips odd keys through %s, read back as a bucket', async (_name, create) => {
    const scratch = create()
    try {
      const lines = new SpillBytes()
      const expected: [number, FileInfo][] = []
      // Over 1 MiB, so the file is read in several pieces, cut inside multi-byte characters too.
      for (let round = 0; round < 400; round++) {
        for (const [index, file] of odd) {
          const record = { ...file, key: `${round}/${file.key}` }
          lines.line(index, record)
          expected.push([index, record])
        }
        appendSpill(scratch, 's', lines.take())
      }
      const bucket = await SpilledBucket.read(readSpillBytes(scratch, 's'))
      const indexes = [...new Set(odd.map(([index]) => index))]
      const byCollection = indexes.flatMap((index) => expected.filter(([at]) => at === index))
      expect(indexes.flatMap((index) => bucket.filesOf(index).map((file): [number, FileInfo] => [index, file]))).toEqual(byCollection)
    } finally {
      await scratch.dispose()
    }
  })

  it('writes whole numbers up to 2^53 as their digits', () => {
    const lines = new SpillBytes()
    for (const value of [0, 7, 10, 99, 1_000_000, 5_497_558_138_880, Number.MAX_SAFE_INTEGER]) {
      lines.number(value)
      lines.newline()
    }
    expect(Buffer.from(lines.take()).toString('latin1')).toBe('0\n7\n10\n99\n1000000\n5497558138880\n9007199254740991\n')
  })
})
