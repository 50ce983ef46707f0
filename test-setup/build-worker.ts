// Vitest global setup: builds the phase A worker script from core's sources before every test run.
// Worker threads cannot load TypeScript, so the worker-parser tests run this build: never a stale
// `dist/` left by an earlier `npm run build`, and never skipped because nothing was built.
import * as path from 'node:path'
import { build } from 'tsup'

export default async function buildWorker(): Promise<void> {
  const core = path.resolve(import.meta.dirname, '../packages/core')
  await build({
    config: false,
    entry: { 'phase-a-worker': path.join(core, 'src/node/phase-a-worker.ts') },
    outDir: path.join(core, 'dist'),
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    dts: false,
    clean: false,
    silent: true,
    // The ORC reader package from its sources too, so a worker never runs a stale build of it.
    noExternal: ['@shuttersense/inventory-orc'],
    esbuildOptions(options) {
      options.conditions = ['@shuttersense/source']
    },
  })
  // The SQLite store on a thread of its own, for the race tests between connections (see
  // packages/storage-adapters/test/thread-peer): bundled from the sources, better-sqlite3 left external.
  const storage = path.resolve(import.meta.dirname, '../packages/storage-adapters')
  await build({
    config: false,
    entry: { 'sqlite-peer-worker': path.join(storage, 'test/thread-peer/sqlite-peer-worker.ts') },
    outDir: path.resolve(import.meta.dirname, '../node_modules/.cache/shuttersense-tests'),
    format: ['esm'],
    target: 'node20',
    dts: false,
    clean: false,
    silent: true,
    noExternal: [/^@shuttersense\//],
    external: ['better-sqlite3'],
    esbuildOptions(options) {
      options.conditions = ['@shuttersense/source']
    },
  })
}
