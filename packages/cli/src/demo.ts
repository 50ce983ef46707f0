import { rmSync } from 'node:fs'
import * as path from 'node:path'
import { main } from './main.js'

/**
 * `npm run demo`: the whole job end to end on the embedded default. Generates a sample photo-bucket
 * inventory, imports it into a SQLite file, maps folders two levels deep to collections, generates the
 * next day's report with 2% changes, imports that, and prints folders, collections and a delta.
 */
const workDir = path.resolve(process.argv[2] ?? '.demo')
const inventory = path.join(workDir, 'inventory')
const db = path.join(workDir, 'shuttersense.db')

/** Runs one CLI command, echoing it and at most `maxLines` lines of its output. */
async function step(title: string, argv: string[], maxLines = 40): Promise<string> {
  const shown = argv.map((arg) => (/[\s,]/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')
  process.stdout.write(`\n## ${title}\n$ shuttersense-inventory ${shown}\n`)
  let captured = ''
  const code = await main(argv, { stdout: { write: (text: string) => (captured += text) }, stderr: process.stderr })
  const lines = captured.trimEnd().split('\n')
  process.stdout.write(`${lines.slice(0, maxLines).join('\n')}\n`)
  if (lines.length > maxLines) process.stdout.write(`… (${lines.length - maxLines} more lines)\n`)
  if (code !== 0) {
    process.stderr.write(`demo step failed with exit code ${code}\n`)
    process.exit(code)
  }
  return captured
}

rmSync(workDir, { recursive: true, force: true })
const where = ['--source-bucket', 'photos', '--config', 'daily']
await step('Generate a sample inventory: 20,000 objects in 2 data files, 3 malformed rows', [
  'generate', '--objects', '20000', '--files', '2', '--malformed', '3', '--out', inventory, ...where,
])
await step('Import it into SQLite (phase A: folders)', ['import', '--from', inventory, ...where, '--db', db])
await step('Top-level folders', ['folders', '--db', db, '--depth', '1'])
await step('Map every folder two levels deep to a collection, with suggested names', [
  'collections', 'create', '--db', db, '--depth', '2',
], 8)
await step('Import the same report again: the new collections get their FileInfo (B) and a baseline delta (C)', [
  'import', '--from', inventory, ...where, '--db', db,
], 6)
await step("Generate the next day's report with 2% of files changed", [
  'generate', '--change-from', inventory, '--change-pct', '2', '--out', inventory, ...where,
])
await step('Import again (A: folders, B: FileInfo per collection, C: deltas)', ['import', '--from', inventory, ...where, '--db', db])
process.stdout.write('\n## Collections and their cached FileInfo\n')
let json = ''
await main(['collections', 'list', '--db', db, '--json'], { stdout: { write: (text: string) => (json += text) }, stderr: process.stderr })
const listed = JSON.parse(json) as {
  collections: { id: string; name: string; folderPath: string; fileCount: number }[]
}
for (const collection of listed.collections.slice(0, 8)) {
  process.stdout.write(`${collection.name}\t${collection.folderPath}\t${collection.fileCount} files\n`)
}
process.stdout.write(`… ${listed.collections.length} collections in all\n`)
const first = listed.collections.find((collection) => collection.fileCount > 0)
if (first) await step(`The delta of "${first.name}"`, ['delta', '--db', db, '--collection', first.id])
process.stdout.write(`\nDone. The database is ${db}\n`)
