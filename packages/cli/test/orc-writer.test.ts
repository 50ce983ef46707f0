import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { gunzipSync, inflateRawSync } from 'node:zlib'
import { openOrcFile, type OrcValue } from '@shuttersense/inventory-orc'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseGeneratedRow, reportFields, snakeName, typedFieldValue } from '../src/generate/data-file-format.js'
import { ORC_STRIPE_ROWS } from '../src/generate/orc-data-file.js'
import { compressZlib, encodeByteRle, encodeNanos, encodeSignedRleV2, encodeUnsignedRleV2, ORC_COMPRESSION_BLOCK } from '../src/generate/orc-encodings.js'
import { runCliJson, tempDir, WHERE } from './helpers.js'

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('ORC encodings of the generator', () => {
  it('write the ORC specification’s examples byte for byte', () => {
    expect(hex(encodeByteRle(new Array<number>(100).fill(0)))).toBe('6100')
    expect(hex(encodeByteRle([0x44, 0x45]))).toBe('fe4445')
    expect(hex(encodeUnsignedRleV2([10000, 10000, 10000, 10000, 10000]))).toBe('0a2710')
    expect(hex(encodeUnsignedRleV2([23713, 43806, 57005, 48879]))).toBe('5e035ca1ab1edeadbeef')
  })

  it('zigzag signed values and keep integers above 2^32 exact', () => {
    // -1, 1 → 1, 2 in one DIRECT run of 2-bit values.
    expect(hex(encodeSignedRleV2([-1, 1]))).toBe('420160')
    const big = 2 ** 40 + 3
    // Three equal 41-bit values: SHORT_REPEAT, 6 bytes wide.
    expect(hex(encodeUnsignedRleV2([big, big, big]))).toBe('28010000000003')
  })

  it('store nanoseconds with their trailing zeros counted', () => {
    expect(encodeNanos(0)).toBe(0)
    expect(encodeNanos(1)).toBe(8)
    expect(encodeNanos(1_000_000)).toBe((1 << 3) | 5)
    expect(encodeNanos(120_000_000)).toBe((12 << 3) | 6)
  })

  it('frame ZLIB in chunks of one block with 3-byte headers, raw when deflate does not shrink it', () => {
    const text = Buffer.alloc(ORC_COMPRESSION_BLOCK + 10, 'a')
    const framed = compressZlib(text)
    const first = framed[0]! | (framed[1]! << 8) | (framed[2]! << 16)
    expect(first & 1).toBe(0)
    const firstChunk = inflateRawSync(framed.subarray(3, 3 + (first >> 1)))
    expect(firstChunk.length).toBe(ORC_COMPRESSION_BLOCK)
    const tiny = compressZlib(Uint8Array.of(7))
    expect(hex(tiny)).toBe('03000007')
  })
})

/** Protobuf varint fields of one message: field number → values (length-delimited ones as bytes). */
function protoFields(bytes: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const fields = new Map<number, (number | Uint8Array)[]>()
  let at = 0
  const varint = (): number => {
    let value = 0
    let scale = 1
    for (;;) {
      const byte = bytes[at++]!
      value += (byte & 0x7f) * scale
      scale *= 128
      if (byte < 0x80) return value
    }
  }
  while (at < bytes.length) {
    const key = varint()
    let value: number | Uint8Array
    if (key % 8 === 2) {
      const length = varint()
      value = bytes.subarray(at, at + length)
      at += length
    } else {
      value = varint()
    }
    fields.set(Math.floor(key / 8), [...(fields.get(Math.floor(key / 8)) ?? []), value])
  }
  return fields
}

/** A ZLIB-framed section, inflated. */
function inflateOrc(bytes: Uint8Array): Uint8Array {
  const parts: Buffer[] = []
  for (let at = 0; at < bytes.length; ) {
    const header = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)
    const body = bytes.subarray(at + 3, at + 3 + (header >> 1))
    parts.push(header & 1 ? Buffer.from(body) : inflateRawSync(body))
    at += 3 + (header >> 1)
  }
  return Buffer.concat(parts)
}

describe('generate --format orc', () => {
  it('writes ORC files with AWS’s tail, several stripes, and a manifest naming them with their MD5s', async () => {
    const out = path.join(dir, 'orc')
    const written = await runCliJson<{ manifestKey: string; rows: number }>([
      'generate', '--out', out, ...WHERE, '--objects', String(ORC_STRIPE_ROWS + 20_000), '--files', '1', '--format', 'orc', '--seed', '3',
    ])
    const manifest = JSON.parse(readFileSync(path.join(out, written.manifestKey), 'utf8')) as {
      fileFormat: string
      fileSchema: string
      files: { key: string; size: number; MD5checksum: string }[]
    }
    expect(manifest.fileFormat).toBe('ORC')
    expect(manifest.fileSchema).toMatch(/^struct<bucket:string,key:string,size:bigint,last_modified_date:timestamp,e_tag:string,storage_class:string,/)
    const [entry] = manifest.files
    const bytes = readFileSync(path.join(out, entry!.key))
    expect(bytes.length).toBe(entry!.size)
    expect(createHash('md5').update(bytes).digest('hex')).toBe(entry!.MD5checksum)

    expect(bytes.subarray(0, 3).toString()).toBe('ORC')
    const psLength = bytes[bytes.length - 1]!
    const postscript = protoFields(bytes.subarray(bytes.length - 1 - psLength, bytes.length - 1))
    expect(Buffer.from(postscript.get(8000)![0] as Uint8Array).toString()).toBe('ORC')
    expect(postscript.get(2)).toEqual([1]) // ZLIB
    expect([...(postscript.get(4)![0] as Uint8Array)]).toEqual([0, 12])
    const footerLength = postscript.get(1)![0] as number
    const footerEnd = bytes.length - 1 - psLength
    const footer = protoFields(inflateOrc(bytes.subarray(footerEnd - footerLength, footerEnd)))
    expect(footer.get(6)).toEqual([written.rows])
    const stripes = footer.get(3)!.map((stripe) => protoFields(stripe as Uint8Array))
    expect(stripes.map((stripe) => stripe.get(5)![0])).toEqual([ORC_STRIPE_ROWS, written.rows - ORC_STRIPE_ROWS])
    // The root struct names the columns in the order of the manifest's fileSchema.
    const root = protoFields(footer.get(4)![0] as Uint8Array)
    const names = root.get(3)!.map((name) => Buffer.from(name as Uint8Array).toString())
    expect(`struct<${names.join(',')}>`).toBe(manifest.fileSchema.replace(/:[a-z]+/g, ''))
    // Each stripe's footer says its timestamps were written in UTC.
    for (const stripe of stripes) {
      const end = (stripe.get(1)![0] as number) + (stripe.get(2)![0] as number) + (stripe.get(3)![0] as number)
      const stripeFooter = protoFields(inflateOrc(bytes.subarray(end, end + (stripe.get(4)![0] as number))))
      expect(Buffer.from(stripeFooter.get(3)![0] as Uint8Array).toString()).toBe('UTC')
    }
  })
})

/** The data files of a generated report, by its manifest. */
function dataFilesOf(out: string, manifestKey: string): Buffer[] {
  const manifest = JSON.parse(readFileSync(path.join(out, manifestKey), 'utf8')) as { files: { key: string }[] }
  return manifest.files.map((file) => readFileSync(path.join(out, file.key)))
}

/** An ORC value as the generator's typed value: timestamps as epoch milliseconds, integers as numbers. */
function plain(value: OrcValue): unknown {
  if (typeof value === 'bigint') return Number(value)
  if (value !== null && typeof value === 'object' && 'seconds' in value && 'nanos' in value) {
    return Number(value.seconds) * 1000 + Math.floor(Number(value.nanos) / 1e6)
  }
  return value
}

describe('generate --format orc, read back with the ORC reader', () => {
  it('holds every row of the CSV report of the same seed, field for field, across stripes and files', async () => {
    const generate = (format: string) =>
      runCliJson<{ manifestKey: string; rows: number }>([
        'generate', '--out', path.join(dir, format), ...WHERE, '--objects', String(ORC_STRIPE_ROWS), '--files', '1', '--versioned',
        '--malformed', '20', '--format', format, '--seed', '5',
      ])
    const csv = await generate('csv')
    const orc = await generate('orc')
    const fields = reportFields(true)
    const expected = gunzipSync(dataFilesOf(path.join(dir, 'csv'), csv.manifestKey)[0]!)
      .toString('utf8')
      .split('\n')
      .slice(0, -1)
      .map((line) => {
        const values = parseGeneratedRow(line)
        return fields.map((field, index) => typedFieldValue(field, values[index]))
      })
    expect(expected.length).toBeGreaterThan(ORC_STRIPE_ROWS)

    const bytes = dataFilesOf(path.join(dir, 'orc'), orc.manifestKey)[0]!
    const file = await openOrcFile({ size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) }, { name: 'generated.orc' })
    expect(file.rowCount).toBe(expected.length)
    expect(file.stripes.length).toBe(2)
    const rows: unknown[][] = []
    for await (const stripe of file.readStripes()) {
      expect(stripe.writerTimezone).toBe('UTC')
      for (let row = 0; row < stripe.rowCount; row++) rows.push(fields.map((field) => plain(stripe.columns[snakeName(field)]![row]!)))
    }
    expect(rows).toEqual(expected)
    // What the rows hold: delete markers with null sizes, keys with spaces, '+' and non-ASCII, and malformed rows.
    const sizeAt = fields.indexOf('size')
    const keyAt = fields.indexOf('key')
    expect(rows.some((row) => row[sizeAt] === null)).toBe(true)
    expect(rows.some((row) => / /.test(row[keyAt] as string) && /[^ -~]/.test(row[keyAt] as string))).toBe(true)
    expect(rows.some((row) => (row[keyAt] as string).includes('+'))).toBe(true)
  })
})
