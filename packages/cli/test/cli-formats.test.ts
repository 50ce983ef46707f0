import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BUILT_IN_READERS } from '@shuttersense/inventory-core/internal'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { runCliJson, snapshot, tempDir, WHERE } from './helpers.js'

/**
 * Every format `generate --format` writes and `import` reads; a new format is one more entry. ORC joins
 * as soon as core has its built-in reader (the generator writes it already).
 */
const FORMATS = ['csv', 'parquet', ...(BUILT_IN_READERS.ORC ? ['orc'] : [])]

let dir: string
let cleanup: () => void
beforeEach(() => ({ dir, cleanup } = tempDir()))
afterEach(() => cleanup())

interface ImportJson {
  summary: { rows: object; objectCount: number; totalSizeBytes: number; folderCount: number; compressedBytes: number }
}

/** An import's summary without the figure that depends on the format: the data files' size. */
const figures = ({ compressedBytes: _size, ...rest }: ImportJson['summary']) => rest

/**
 * The same generated inventory (versioned, keys with spaces, commas, `+`, `%` and accents, several data files), then
 * its next day's report, in `format`: imported with collections, everything the store holds afterwards.
 */
async function importInFormat(format: string) {
  const root = path.join(dir, format)
  const db = path.join(dir, `${format}.db`)
  const generated = await runCliJson<{ manifestKey: string; timestampFolder: string }>([
    'generate', '--out', root, ...WHERE, '--objects', '8000', '--files', '3', '--versioned', '--seed', '21', '--format', format,
  ])
  const first = await runCliJson<ImportJson>(['import', '--from', root, ...WHERE, '--db', db])
  await runCliJson(['collections', 'create', '--db', db, '--depth', '2'])
  await runCliJson(['import', '--from', root, ...WHERE, '--db', db])
  const next = await runCliJson<{ change: object }>(['generate', '--change-from', root, '--change-pct', '12', '--out', root, ...WHERE, '--seed', '22'])
  const after = await runCliJson<ImportJson>(['import', '--from', root, ...WHERE, '--db', db])
  const store = createSqliteStore({ filename: db })
  try {
    const [connector] = await store.listConnectors()
    return { generated, first: figures(first.summary), after: figures(after.summary), change: next.change, stored: await snapshot(store, connector!.id) }
  } finally {
    await store.close()
  }
}

describe('the same inventory in every format', () => {
  it(`imports to identical folders, FileInfo and deltas (${FORMATS.join(', ')})`, async () => {
    const results = []
    for (const format of FORMATS) results.push(await importInFormat(format))
    const [csv, ...others] = results
    expect(csv!.first.objectCount).toBeGreaterThan(7000)
    const files = Object.values(csv!.stored.collections).flatMap((collection) => collection.files.map((file) => file.key))
    // The keys that differ between CSV (URL-encoded) and the other formats (plain) are there.
    expect(files.some((key) => key.includes(' '))).toBe(true)
    expect(files.some((key) => key.includes('+'))).toBe(true)
    expect(files.some((key) => key.includes('%'))).toBe(true)
    expect(files.some((key) => /[^ -~]/.test(key))).toBe(true)
    expect(Object.values(csv!.stored.collections).some((collection) => (collection.delta?.counts.modified ?? 0) > 0)).toBe(true)
    for (const other of others) {
      expect(other.generated.timestampFolder).toBe(csv!.generated.timestampFolder)
      expect(other.first).toEqual(csv!.first)
      expect(other.after).toEqual(csv!.after)
      expect(other.change).toEqual(csv!.change)
      expect(other.stored).toEqual(csv!.stored)
    }
  })
})
