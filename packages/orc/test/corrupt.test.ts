import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OrcError, checkZstdFrames, decompressZstdBounded, openOrcFile } from '../src/index.js'
import { decompressStream } from '../src/decompress.js'
import { FIXTURES, bytesFile } from './fixture-helpers.js'

/** Opens and reads every stripe of `bytes`; what it rejects with. */
async function readAll(bytes: Uint8Array, name: string, maxStripeBytes?: number): Promise<unknown> {
  try {
    const orc = await openOrcFile(bytesFile(bytes), { name })
    for await (const stripe of orc.readStripes({ maxStripeBytes })) void stripe
    await orc.readStripeStatistics()
    return undefined
  } catch (error) {
    return error
  }
}

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)))

function expectCorrupt(error: unknown, name: string): void {
  expect(error).toBeInstanceOf(OrcError)
  expect(error).toMatchObject({ code: 'DATA_FILE_CORRUPT', file: name })
  expect((error as Error).message.startsWith(`${name}: `)).toBe(true)
}

describe('corrupt ORC files', () => {
  it.each(readdirSync(new URL('corrupt/', FIXTURES)))('corrupt/%s is DATA_FILE_CORRUPT naming the file', async (name) => {
    expectCorrupt(await readAll(fixture(`corrupt/${name}`), name), name)
  })

  it('zero.orc (0 bytes) is DATA_FILE_CORRUPT naming the file', async () => {
    expectCorrupt(await readAll(fixture('zero.orc'), 'zero.orc'), 'zero.orc')
  })

  it('a file that is not ORC is DATA_FILE_CORRUPT', async () => {
    expectCorrupt(await readAll(new TextEncoder().encode('key,size\na,1\n'), 'data.csv'), 'data.csv')
    expectCorrupt(await readAll(new TextEncoder().encode('OR'), 'tiny.orc'), 'tiny.orc')
  })

  it.each(['TestOrcFile.test1.orc', 'TestVectorOrcFile.testLz4.orc', 'demo-11-zlib.orc', 'TestOrcFile.testSnappy.orc', 'TestVectorOrcFile.testZstd.0.12.orc'])(
    '%s truncated anywhere is DATA_FILE_CORRUPT',
    async (name) => {
      const bytes = fixture(name)
      const cuts = [3, 4, 100, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 300, bytes.length - 20, bytes.length - 1]
      for (const cut of cuts) expectCorrupt(await readAll(bytes.subarray(0, cut), name), name)
    },
  )

  it.each(['TestOrcFile.test1.orc', 'TestOrcFile.testUnionAndTimestamp.orc', 'over1k_bloom.orc', 'TestStringDictionary.testRowIndex.orc', 'decimal.orc'])(
    '%s with damaged bytes decodes or is rejected with an OrcError, never another error',
    async (name) => {
      const bytes = fixture(name)
      let state = 12345
      const random = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
      for (let round = 0; round < 60; round++) {
        const damaged = bytes.slice()
        for (let flip = 0; flip < 4; flip++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256)
        const error = await readAll(damaged, name, 8 * 1024 * 1024)
        if (error !== undefined) expect(error, String(error)).toBeInstanceOf(OrcError)
      }
    },
  )
})

/** `bytes` with the postscript's bytes `from` (a field and its value, e.g. compression ZLIB: 10 01) changed to `to`. */
function patchPostScript(bytes: Uint8Array, from: number[], to: number[]): Uint8Array {
  const copy = Uint8Array.from(bytes)
  const start = copy.length - 1 - copy[copy.length - 1]!
  for (let at = start; at < copy.length - 1; at++) {
    if (from.every((byte, i) => copy[at + i] === byte)) {
      copy.set(to, at)
      return copy
    }
  }
  throw new Error(`no ${from} in the postscript`)
}

describe('what this reader does not support', () => {
  it('LZO compression is FORMAT_UNSUPPORTED naming the file and the codec', async () => {
    // TestOrcFile.test1.orc is ZLIB (compression 1); 3 is LZO.
    const error = await readAll(patchPostScript(fixture('TestOrcFile.test1.orc'), [0x10, 0x01], [0x10, 0x03]), 'lzo.orc')
    expect(error).toMatchObject({ code: 'FORMAT_UNSUPPORTED', file: 'lzo.orc' })
    expect((error as Error).message).toMatch(/^lzo\.orc: .*LZO compression is not supported/)
  })

  it('a decimal in the decimal64 encoding of ORC 2.0 pre-release files (DECIMAL_V2) is FORMAT_UNSUPPORTED naming the file', async () => {
    // Version [0, 12] made [1, 12]: the format version whose writers store decimal(4,2) as RLE v2 integers.
    const bytes = patchPostScript(fixture('over1k_bloom.orc'), [0x22, 0x02, 0x00, 0x0c], [0x22, 0x02, 0x01, 0x0c])
    const orc = await openOrcFile(bytesFile(bytes), { name: 'decimal64.orc' })
    const error = await orc.readStripe(0, { columns: ['_col9'] }).catch((failure: unknown) => failure)
    expect(error).toMatchObject({ code: 'FORMAT_UNSUPPORTED', file: 'decimal64.orc' })
    expect((error as Error).message).toMatch(/^decimal64\.orc: column \d+: decimal\(4,2\) .*DECIMAL_V2.* not supported/)
    // The columns that are not decimals read as ever.
    expect((await orc.readStripe(0, { columns: ['_col7'] })).columns._col7!.length).toBeGreaterThan(0)
  })
})

describe('damaged ZSTD frames', () => {
  const MAGIC = [0x28, 0xb5, 0x2f, 0xfd]
  /** One raw block of `data`, last of its frame. */
  const rawBlock = (data: number[]): number[] => [((data.length << 3) | 1) & 0xff, (data.length << 3) >> 8, (data.length << 3) >> 16, ...data]
  /** `count` RLE blocks of `size` bytes each (4 input bytes a block), the last one marked last. */
  const rleBlocks = (count: number, size: number): number[] =>
    Array.from({ length: count }, (_, i) => {
      const header = size * 8 + 2 + (i === count - 1 ? 1 : 0)
      return [header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 7]
    }).flat()
  /** An ORC compressed chunk (3-byte header, not original) around `frame`. */
  const chunk = (frame: number[]): Uint8Array => Uint8Array.from([(frame.length << 1) & 0xff, (frame.length << 1) >> 8, (frame.length << 1) >> 16, ...frame])

  it('a good frame decompresses', () => {
    // Single segment, 1-byte content size 3.
    expect(Array.from(decompressStream(chunk([...MAGIC, 0x20, 3, ...rawBlock([1, 2, 3])]), 'ZSTD', 1024, 'test stream'))).toEqual([1, 2, 3])
  })

  it.each([
    ['declares a content size past the block size', [...MAGIC, 0xe0, 0, 0, 0, 0x40, 0, 0, 0, 0, ...rawBlock([1])], /declares 1073741824 bytes/],
    ['asks for a 1 GiB window', [...MAGIC, 0x00, 0xa0, ...rawBlock([1])], /window of 1073741824 bytes/],
    ['declares a content size of 0 beside a 1 GiB window', [...MAGIC, 0x80, 0xa0, 0, 0, 0, 0, ...rawBlock([1])], /window of 1073741824 bytes/],
    ['has no content size and RLE blocks of 2 MiB each, 66 MiB in all', [...MAGIC, 0x00, 0x00, ...rleBlocks(33, 0x1fffff)], /without a content size would decompress past/],
    ['is cut short', [...MAGIC, 0x20, 3, 0x19, 0], /cut short/],
    ['decodes to more than it declares', [...MAGIC, 0x20, 1, ...rawBlock([1, 2, 3])], /does not decompress/],
    ['is no zstd frame', [1, 2, 3, 4, 5], /no zstd frame/],
  ])('is DATA_FILE_CORRUPT before anything is allocated when the frame %s', (_what, frame, message) => {
    const failure = (() => {
      try {
        decompressStream(chunk(frame), 'ZSTD', 256 * 1024, 'stripe 0 column 1 DATA stream')
        return undefined
      } catch (error) {
        return error
      }
    })()
    expect(failure).toMatchObject({ code: 'DATA_FILE_CORRUPT' })
    expect((failure as Error).message).toMatch(/^stripe 0 column 1 DATA stream: ZSTD chunk does not decompress/)
    expect((failure as Error).message).toMatch(message)
  })

  it('refuses a chunk size past 256 MiB that the file itself declares, before reading a frame', () => {
    expect(() => decompressZstdBounded(Uint8Array.from([...MAGIC, 0x20, 1, ...rawBlock([1])]), 2 ** 30)).toThrow(/past the 268435456-byte limit/)
    expect(Array.from(decompressZstdBounded(Uint8Array.from([...MAGIC, 0x20, 1, ...rawBlock([9])]), 256 * 1024 * 1024))).toEqual([9])
  })

  it('holds a ZSTD Parquet page to its declared size too (checkZstdFrames)', () => {
    expect(() => checkZstdFrames(Uint8Array.from([...MAGIC, 0x20, 200, ...rawBlock([1])]), 100)).toThrow(/declares 200 bytes, more than the 100 expected/)
    expect(() => checkZstdFrames(Uint8Array.from([...MAGIC, 0x20, 1, ...rawBlock([1])]), 100)).not.toThrow()
  })
})
