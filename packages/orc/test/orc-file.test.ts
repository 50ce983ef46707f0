import { describe, expect, it } from 'vitest'
import { OrcError, formatOrcTimestamp, openOrcFile, orcTimestampToIso, orcTypeText, zoneOffsetSeconds } from '../src/index.js'
import { decimalText } from '../src/column-decoder.js'
import { lz4BlockLength } from '../src/decompress.js'
import { decodeIntegers } from '../src/integer-rle.js'
import { fixtureFile } from './fixture-helpers.js'

describe('openOrcFile', () => {
  it('reads the schema, row count, stripes and compression from the tail', async () => {
    const orc = await openOrcFile(fixtureFile('TestOrcFile.test1.orc'), { name: 'test1.orc' })
    expect(orc.rowCount).toBe(2)
    expect(orc.compression).toBe('ZLIB')
    expect(orc.stripes).toHaveLength(1)
    expect(orcTypeText(orc.schema)).toBe(
      'struct<boolean1:boolean,byte1:tinyint,short1:smallint,int1:int,long1:bigint,float1:float,double1:double,bytes1:binary,string1:string,' +
        'middle:struct<list:array<struct<int1:int,string1:string>>>,list:array<struct<int1:int,string1:string>>,map:map<string,struct<int1:int,string1:string>>>',
    )
    const stats = await orc.readStripeStatistics()
    expect(stats).toHaveLength(1)
    expect(stats[0]![4]).toMatchObject({ numberOfValues: 2, minimum: 65536, maximum: 65536 })
    expect(orc.footer.statistics[9]).toMatchObject({ minimum: 'bye', maximum: 'hi' })
  })

  it('decodes only the requested columns: fewer bytes read than for all', async () => {
    const all = fixtureFile('TestOrcFile.testSnappy.orc')
    const orc = await openOrcFile(all)
    for await (const stripe of orc.readStripes()) void stripe
    const some = fixtureFile('TestOrcFile.testSnappy.orc')
    const one = await openOrcFile(some)
    const stripes = []
    for await (const stripe of one.readStripes({ columns: ['int1'] })) stripes.push(stripe)
    expect(Object.keys(stripes[0]!.columns)).toEqual(['int1'])
    expect(stripes[0]!.columns.int1![0]).toBe(-1160101563)
    expect(some.bytesRead).toBeLessThan(all.bytesRead / 2)
  })

  it('refuses a stripe over the memory bound, and an unknown column, as FORMAT_UNSUPPORTED', async () => {
    const orc = await openOrcFile(fixtureFile('TestOrcFile.testSnappy.orc'), { name: 'snappy.orc' })
    await expect(orc.readStripe(0, { maxStripeBytes: 1000 })).rejects.toMatchObject({ code: 'FORMAT_UNSUPPORTED', file: 'snappy.orc' })
    await expect(orc.readStripe(0, { columns: ['nope'] })).rejects.toMatchObject({ code: 'FORMAT_UNSUPPORTED' })
    await expect(orc.readStripe(99)).rejects.toBeInstanceOf(OrcError)
    await expect(openOrcFile(fixtureFile('demo-11-zlib.orc'), { maxTailBytes: 10 })).rejects.toMatchObject({ code: 'FORMAT_UNSUPPORTED' })
  })

  it.each([
    ['TestOrcFile.testUnionAndTimestamp.orc', 'struct<time:timestamp,union:uniontype<int,string>,decimal:decimal(38,18)>'],
    ['TestOrcFile.testTimestamp.orc', 'struct<:timestamp>'],
    ['orc-file-11-format.orc', 'decimal'],
    ['over1k_bloom.orc', 'struct<_col0:tinyint,_col1:smallint,_col2:int,_col3:bigint,_col4:float,_col5:double,_col6:boolean,_col7:string,_col8:timestamp,_col9:decimal(4,2),_col10:binary>'],
  ])('%s: its schema as ORC type text', async (name, text) => {
    const orc = await openOrcFile(fixtureFile(name))
    expect(orcTypeText(orc.schema)).toContain(text)
  })

  it('reads an empty file (no stripes)', async () => {
    const orc = await openOrcFile(fixtureFile('TestOrcFile.emptyFile.orc'))
    expect(orc.rowCount).toBe(0)
    const stripes = []
    for await (const stripe of orc.readStripes()) stripes.push(stripe)
    expect(stripes).toEqual([])
  })
})

describe('timestamps', () => {
  it('are instants: written in UTC they are the UTC wall clock; other zones shift by their offset', () => {
    expect(orcTimestampToIso({ seconds: 1_700_000_000, nanos: 123_456_789 })).toBe('2023-11-14T22:13:20.123Z')
    expect(formatOrcTimestamp({ seconds: 0, nanos: 0 })).toBe('1970-01-01 00:00:00.0')
    expect(formatOrcTimestamp({ seconds: 0, nanos: 100 }, 'America/Los_Angeles')).toBe('1969-12-31 16:00:00.0000001')
    expect(zoneOffsetSeconds('UTC', 0)).toBe(0)
    expect(zoneOffsetSeconds('Asia/Kolkata', 0)).toBe(19_800)
    expect(zoneOffsetSeconds('+05:30', 0)).toBe(19_800)
    expect(zoneOffsetSeconds('Europe/Berlin', 1_720_000_000)).toBe(7200)
    expect(() => zoneOffsetSeconds('Not/AZone', 0)).toThrow(OrcError)
  })
})

describe('decoders', () => {
  it('integer RLE v1: runs with a delta and literals', () => {
    // A run of 5 (control 2) from 10 by -2, then 2 literals 1 and 300 (unsigned varints).
    expect(decodeIntegers(Uint8Array.of(2, 0xfe, 10, 0xfe, 1, 0xac, 0x02), 7, false, 1, 'v1')).toEqual([10, 8, 6, 4, 2, 1, 300])
  })

  it('integer RLE v2: patched base (the example of the ORC specification)', () => {
    const bytes = Uint8Array.of(
      0x8e, 0x13, 0x2b, 0x21, 0x07, 0xd0, 0x1e, 0x00, 0x14, 0x70, 0x28, 0x32, 0x3c, 0x46, 0x50, 0x5a, 0x64, 0x6e, 0x78, 0x82, 0x8c, 0x96,
      0xa0, 0xaa, 0xb4, 0xbe, 0xfc, 0xe8,
    )
    expect(decodeIntegers(bytes, 20, false, 2, 'v2')).toEqual([
      2030, 2000, 2020, 1000000, 2040, 2050, 2060, 2070, 2080, 2090, 2100, 2110, 2120, 2130, 2140, 2150, 2160, 2170, 2180, 2190,
    ])
  })

  it('integer RLE v2: short repeat, direct, delta with fixed and packed deltas, 64-bit values exact', () => {
    expect(decodeIntegers(Uint8Array.of(0x0a, 0x27, 0x10), 5, false, 2, 'v2')).toEqual([10000, 10000, 10000, 10000, 10000])
    expect(decodeIntegers(Uint8Array.of(0x5e, 0x03, 0x5c, 0xa1, 0xab, 0x1e, 0xde, 0xad, 0xbe, 0xef), 4, false, 2, 'v2')).toEqual([
      23713, 43806, 57005, 48879,
    ])
    expect(decodeIntegers(Uint8Array.of(0xc0, 0x09, 0x02, 0x02), 10, false, 2, 'v2')).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(decodeIntegers(Uint8Array.of(0xc6, 0x09, 0x02, 0x02, 0x22, 0x42, 0x42, 0x46), 10, false, 2, 'v2')).toEqual([
      2, 3, 5, 7, 11, 13, 17, 19, 23, 29,
    ])
    // Short repeat of 8 bytes: zigzag of -2^63 is 2^64 - 1.
    expect(decodeIntegers(Uint8Array.of(0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 3, true, 2, 'v2')).toEqual([
      -(2n ** 63n),
      -(2n ** 63n),
      -(2n ** 63n),
    ])
    expect(() => decodeIntegers(Uint8Array.of(0x5e, 0x03, 0x5c), 4, false, 2, 'v2')).toThrow(OrcError)
  })

  it('decimals as exact text, and LZ4 block lengths from their sequences', () => {
    expect(decimalText(-1250, 2)).toBe('-12.50')
    expect(decimalText(5, 3)).toBe('0.005')
    expect(decimalText(10n ** 30n, 0)).toBe(`1${'0'.repeat(30)}`)
    // One sequence: 4 literals "abcd", then a match of 4 at offset 4; then 1 literal.
    expect(lz4BlockLength(Uint8Array.of(0x40, 97, 98, 99, 100, 4, 0, 0x10, 101), 'lz4')).toBe(9)
    expect(() => lz4BlockLength(Uint8Array.of(0x40, 97, 98, 99, 100, 9, 0), 'lz4')).toThrow(OrcError)
    expect(() => lz4BlockLength(Uint8Array.of(0xf0), 'lz4')).toThrow(OrcError)
  })
})
