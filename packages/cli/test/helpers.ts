import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { FileInfo, InventoryStore } from '@shuttersense/inventory-core'
import type { StoredDelta } from '@shuttersense/inventory-core/types'
import { expect } from 'vitest'
import { main } from '../src/main.js'

/** Runs the CLI in-process and captures what it prints. */
export async function runCli(argv: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(
    argv,
    { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
    signal,
  )
  return { code, stdout, stderr }
}

/** Runs the CLI and parses its `--json` output; fails the test on a non-zero exit. */
export async function runCliJson<T>(argv: string[]): Promise<T> {
  const result = await runCli([...argv, '--json'])
  if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cli-test-'))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export const WHERE = ['--source-bucket', 'photos', '--config', 'daily']

/** Everything an import leaves behind, keyed by folder path so two stores compare. */
export async function snapshot(store: InventoryStore, connectorId: string) {
  const collections: Record<string, { files: FileInfo[]; delta: Omit<StoredDelta, 'collectionId' | 'importId' | 'computedAt'> | null }> = {}
  for (const collection of await store.listCollections(connectorId)) {
    const files: FileInfo[] = []
    for await (const batch of store.readFileInfo(collection.id)) files.push(...batch)
    const stored = await store.getLatestDelta(collection.id)
    const delta = stored && (({ collectionId: _c, importId: _i, computedAt: _t, ...rest }) => rest)(stored)
    collections[collection.folderPath] = { files, delta }
  }
  const folders = (await store.listFolders(connectorId, { limit: 10_000 })).folders
  return { folders, collections }
}

/** Awaits a promise that must fail with an InventoryError whose code is one of `codes`. */
export async function expectCodeOf(promise: Promise<unknown>, codes: readonly string[]): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(codes).toContain((error as { code?: string } | undefined)?.code)
}
