import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, runCliJson, tempDir } from './helpers.js'

/** The real reports AWS wrote, kept in the repository with their license (fixtures/aws-inventory/README.md). */
const FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/aws-inventory')

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

/**
 * Lays a fixture out as AWS does: the manifest in a timestamp folder; its file keys are bare names
 * (the fixture's authors shortened them), so data files sit at the root of the bucket copy.
 */
function layOut(name: string): void {
  const manifest = JSON.parse(readFileSync(path.join(FIXTURES, `${name}_manifest.json`), 'utf8')) as { files: { key: string }[] }
  const folder = path.join(dir, 'filemanager-inventory-test', 'inventory', '2024-05-07T01-00Z')
  mkdirSync(folder, { recursive: true })
  copyFileSync(path.join(FIXTURES, `${name}_manifest.json`), path.join(folder, 'manifest.json'))
  copyFileSync(path.join(FIXTURES, `${name}_manifest.checksum`), path.join(folder, 'manifest.checksum'))
  for (const file of manifest.files) copyFileSync(path.join(FIXTURES, file.key), path.join(dir, file.key))
}

const where = ['--source-bucket', 'filemanager-inventory-test', '--config', 'inventory']

describe.each(['csv_inventory', 'csv_inventory_no_version'])('the real AWS report %s', (name) => {
  it('imports to exactly inventory-test/ (0 bytes) and inventory-test/key1 (5 bytes) in one folder', async () => {
    layOut(name)
    const db = path.join(dir, 'store.db')
    const result = await runCliJson<{ summary: { objectCount: number; totalSizeBytes: number; rows: { badRows: object } } }>([
      'import', '--from', dir, ...where, '--db', db,
    ])
    expect(result.summary).toMatchObject({ objectCount: 2, totalSizeBytes: 5, rows: { badRows: {} } })
    const { folders } = await runCliJson<{ folders: unknown[] }>(['folders', '--db', db])
    expect(folders).toEqual([
      {
        path: 'inventory-test/',
        objectCount: 2,
        totalSizeBytes: 5,
        directObjectCount: 2,
        directSizeBytes: 5,
        lastModified: '2024-05-06T22:44:22.000Z',
      },
    ])
    await runCliJson(['collections', 'create', '--db', db, '--folder', 'inventory-test'])
    const second = await runCliJson<{ collections: { fileCount: number; delta: unknown }[] }>(['import', '--from', dir, ...where, '--db', db])
    expect(second.collections).toMatchObject([{ fileCount: 2, delta: { new: 2, modified: 0, deleted: 0, unchanged: 0 } }])
  })
})

describe.each([
  ['parquet_inventory', 'Parquet'],
  ['orc_inventory', 'ORC'],
])('the real AWS report %s', (name, format) => {
  it(`is refused with FORMAT_UNSUPPORTED until the ${format} reader lands`, async () => {
    layOut(name)
    const result = await runCli(['import', '--from', dir, ...where, '--db', path.join(dir, 'store.db')])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('[FORMAT_UNSUPPORTED]')
  })
})
