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
