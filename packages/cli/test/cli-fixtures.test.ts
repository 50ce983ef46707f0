import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { md5Hex } from '@shuttersense/inventory-core/internal'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { runCli, runCliJson, snapshot, tempDir } from './helpers.js'

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

describe.each(['csv_inventory', 'csv_inventory_no_version', 'parquet_inventory', 'orc_inventory'])('the real AWS report %s', (name) => {
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
    const store = createSqliteStore({ filename: db })
    try {
      const [connector] = await store.listConnectors()
      const { collections } = await snapshot(store, connector!.id)
      expect(collections['inventory-test/']!.files).toEqual([
        { key: 'inventory-test/', size: 0, lastModified: '2024-05-06T22:37:48.000Z', etag: 'd41d8cd98f00b204e9800998ecf8427e', storageClass: 'STANDARD' },
        { key: 'inventory-test/key1', size: 5, lastModified: '2024-05-06T22:44:22.000Z', etag: 'd8e8fca2dc0f896fd7cb4cb0031ba249', storageClass: 'STANDARD' },
      ])
    } finally {
      await store.close()
    }
  })
})

describe('a Parquet or ORC report that is damaged', () => {
  const folder = () => path.join(dir, 'filemanager-inventory-test', 'inventory', '2024-05-07T01-00Z')
  /** Rewrites the laid-out manifest and its checksum, as AWS would have written them. */
  const rewriteManifest = (edit: (manifest: { files: { key: string; size: number; MD5checksum: string }[] }) => void): void => {
    const manifest = JSON.parse(readFileSync(path.join(folder(), 'manifest.json'), 'utf8'))
    edit(manifest)
    const text = JSON.stringify(manifest)
    writeFileSync(path.join(folder(), 'manifest.json'), text)
    writeFileSync(path.join(folder(), 'manifest.checksum'), `${md5Hex(Buffer.from(text))}\n`)
  }
  const importIt = () => runCli(['import', '--from', dir, ...where, '--db', path.join(dir, 'store.db')])

  it.each([
    ['parquet_inventory', 'parquet_inventory.parquet', 3000],
    ['orc_inventory', 'orc_inventory.orc', 1500],
  ])('%s truncated (its MD5 matching the manifest) is DATA_FILE_CORRUPT naming the file, exit 2', async (name, dataFile, keep) => {
    layOut(name)
    const bytes = readFileSync(path.join(dir, dataFile)).subarray(0, keep)
    writeFileSync(path.join(dir, dataFile), bytes)
    rewriteManifest((manifest) => {
      manifest.files[0]!.size = bytes.length
      manifest.files[0]!.MD5checksum = md5Hex(bytes)
    })
    const result = await importIt()
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('[DATA_FILE_CORRUPT]')
    expect(result.stderr).toContain(dataFile)
  })

  it('not matching its MD5 is CHECKSUM_MISMATCH naming the file, exit 2', async () => {
    layOut('parquet_inventory')
    rewriteManifest((manifest) => {
      manifest.files[0]!.MD5checksum = md5Hex(Buffer.from('something else'))
    })
    const result = await importIt()
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('[CHECKSUM_MISMATCH]')
    expect(result.stderr).toContain('parquet_inventory.parquet')
  })

  it('with a fileSchema lacking size is SCHEMA_UNSUPPORTED naming what is missing, before anything is read', async () => {
    layOut('parquet_inventory')
    rewriteManifest((manifest) => {
      const schema = (manifest as unknown as { fileSchema: string }).fileSchema
      ;(manifest as unknown as { fileSchema: string }).fileSchema = schema.replace('optional int64 size;', '')
    })
    const result = await importIt()
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('[SCHEMA_UNSUPPORTED]')
    expect(result.stderr).toContain('lacks size')
  })
})

describe('a generated ORC report with bad rows', () => {
  it('skips each bad row and counts it by reason, the rest imported as from the CSV of the same inventory', async () => {
    const at = ['--source-bucket', 'photos', '--config', 'daily']
    type Summary = { summary: { objectCount: number; totalSizeBytes: number; rows: { badRows: Record<string, number> } } }
    const imported: Record<string, Summary['summary']> = {}
    for (const format of ['csv', 'orc']) {
      const root = path.join(dir, format)
      await runCliJson(['generate', '--out', root, ...at, '--objects', '400', '--files', '2', '--malformed', '4', '--seed', '5', '--format', format])
      imported[format] = (await runCliJson<Summary>(['import', '--from', root, ...at, '--db', path.join(dir, `${format}.db`)])).summary
    }
    const badRows = Object.values(imported.orc!.rows.badRows).reduce((sum, count) => sum + count, 0)
    expect(badRows).toBe(4)
    expect(imported.orc!.rows.badRows).toHaveProperty('invalid_size')
    expect(imported.orc!.objectCount).toBe(imported.csv!.objectCount)
    expect(imported.orc!.totalSizeBytes).toBe(imported.csv!.totalSizeBytes)
  })
})
