import { existsSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type OrcFile, type OrcValue, openOrcFile } from '../src/index.js'
import { FIXTURES, comparable, expectedRows, fixtureFile } from './fixture-helpers.js'

/** Every row of the file, as `comparable` forms, and the zone its stripes were written in. */
async function readAllRows(orc: OrcFile): Promise<{ rows: unknown[]; timeZone: string }> {
  const rows: unknown[] = []
  let timeZone = 'UTC'
  const fields = orc.schema.fields!
  for await (const stripe of orc.readStripes()) {
    if (stripe.writerTimezone) timeZone = stripe.writerTimezone
    for (let row = 0; row < stripe.rowCount; row++) {
      if (fields.length === 1 && fields[0]!.name === '') {
        rows.push(comparable(stripe.columns['']![row]!, fields[0]!.type, stripe.writerTimezone || 'UTC', false))
      } else {
        const record: Record<string, OrcValue> = {}
        for (const field of fields) record[field.name] = stripe.columns[field.name]![row]!
        rows.push(comparable(record, orc.schema, stripe.writerTimezone || 'UTC', false))
      }
    }
  }
  return { rows, timeZone }
}

const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.orc') && name !== 'zero.orc')

describe('Apache ORC example files', () => {
  it.each(files.filter((name) => existsSync(new URL(`expected/${name.replace(/\.orc$/, '')}.jsn.gz`, FIXTURES))))(
    '%s: every row as Apache ORC prints it',
    async (name) => {
      const orc = await openOrcFile(fixtureFile(name), { name })
      const { rows, timeZone } = await readAllRows(orc)
      const expected = expectedRows(name.replace(/\.orc$/, ''))
      const root = orc.schema.fields!.length === 1 && orc.schema.fields![0]!.name === '' ? orc.schema.fields![0]!.type : orc.schema
      expect(rows.length).toBe(orc.rowCount)
      expect(rows.length).toBe(expected.length)
      for (let i = 0; i < rows.length; i++) {
        const want = comparable(expected[i]!, root, timeZone, true)
        if (JSON.stringify(rows[i]) !== JSON.stringify(want)) expect({ row: i, value: rows[i] }).toEqual({ row: i, value: want })
      }
    },
  )

  it.each(files.filter((name) => !existsSync(new URL(`expected/${name.replace(/\.orc$/, '')}.jsn.gz`, FIXTURES))))(
    '%s (no expected rows): every stripe decodes to the footer row count',
    async (name) => {
      const orc = await openOrcFile(fixtureFile(name), { name })
      let rows = 0
      for await (const stripe of orc.readStripes()) {
        for (const values of Object.values(stripe.columns)) expect(values).toHaveLength(stripe.rowCount)
        rows += stripe.rowCount
      }
      expect(rows).toBe(orc.rowCount)
      expect(rows).toBeGreaterThan(0)
    },
  )
})

describe('the views without an object per value', () => {
  const utf8 = new TextDecoder()
  /** The first row where `got` and `wanted` differ, shown (a whole-array diff of 100,000 values is slow). */
  const expectSame = (got: unknown[], wanted: unknown[], what: string): void => {
    expect(got.length).toBe(wanted.length)
    const row = got.findIndex((value, i) => !Object.is(value, wanted[i]))
    if (row >= 0) expect({ what, row, value: got[row] }).toEqual({ what, row, value: wanted[row] })
  }
  it.each(files)('%s: string byte ranges and timestamp milliseconds are the values', async (name) => {
    const orc = await openOrcFile(fixtureFile(name), { name })
    const fields = orc.schema.fields!
    const strings = fields.filter((field) => ['string', 'varchar', 'char', 'binary'].includes(field.type.kind)).map((field) => field.name)
    const timestamps = fields.filter((field) => ['timestamp', 'timestamp_instant'].includes(field.type.kind)).map((field) => field.name)
    let compared = 0
    // Two stripes a file at most: the largest file has hundreds of thousands of rows.
    for (let index = 0; index < Math.min(orc.stripes.length, 2); index++) {
      const stripe = await orc.readStripeColumns(index, { columns: [...strings, ...timestamps] })
      for (const field of strings) {
        const values = stripe.values(field)
        const { data, starts, ends } = stripe.bytes(field)
        const viewedValues = values.map((_, row) => {
          if (starts[row]! < 0) return null
          const bytes = data.subarray(starts[row], ends[row])
          return stripe.typeOf(field).kind === 'binary' ? Buffer.from(bytes).toString('hex') : utf8.decode(bytes)
        })
        const wanted = values.map((value) => (value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value))
        expectSame(viewedValues, wanted, `${field} of stripe ${index}`)
        compared += values.length
      }
      for (const field of timestamps) {
        const values = stripe.values(field) as ({ seconds: number; nanos: number } | null)[]
        const millis = values.map((value) => (value === null ? NaN : value.seconds * 1000 + Math.floor(value.nanos / 1e6)))
        expectSame(Array.from(stripe.epochMillis(field)), millis, `${field} of stripe ${index}`)
        compared += values.length
      }
    }
    if (strings.length + timestamps.length > 0 && orc.rowCount > 0) expect(compared).toBeGreaterThan(0)
  })

  it('refuses a view of a column of another type, naming the file', async () => {
    const orc = await openOrcFile(fixtureFile('TestOrcFile.test1.orc'), { name: 'TestOrcFile.test1.orc' })
    const stripe = await orc.readStripeColumns(0, { columns: ['int1'] })
    expect(() => stripe.bytes('int1')).toThrow(/^TestOrcFile\.test1\.orc: column \d+ is int, not a string column/)
    expect(() => stripe.epochMillis('int1')).toThrow(/not a timestamp column/)
    expect(() => stripe.values('string1')).toThrow(/column "string1" was not read/)
  })
})
