// The import benchmark of docs/benchmarks.md. Run from the repository root after `npm run build`:
//   node benchmarks/bench-import.mjs --objects 1000000 [--collections 1000] [--change-pct 1] [--skip-duckdb]
// Each step runs in its own process, so its peak RSS is its own:
//   duckdb   the reference: DuckDB's folder rollup of the same data files
//   A        phase A alone: the first import of a connector without collections (folders only)
//   A-workers  the same with data files parsed on 2 worker threads (`import --workers 2`)
//   full     A+B+C with every object in ~`collections` collections: the first FileInfo write (baseline)
//   full-1%  A+B+C on the next day's report with `change-pct`% of files added/modified/deleted
// Inventories are generated once into .bench/<objects>/ and reused.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000000' },
    collections: { type: 'string', default: '1000' },
    'change-pct': { type: 'string', default: '1' },
    'skip-duckdb': { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
  },
})
const objects = Number(values.objects)
const here = path.dirname(new URL(import.meta.url).pathname)
const root = path.resolve(here, '..')
const cli = path.join(root, 'packages/cli/dist/bin.js')
const work = path.join(root, '.bench', String(objects))
const day1 = path.join(work, 'day1')
const day2 = path.join(work, 'day2')

function node(args, options = {}) {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, ...options })
}

function step(args, env = {}) {
  const line = node([path.join(here, 'lib/import-step.mjs'), ...args], { env: { ...process.env, ...env } }).trim().split('\n').pop()
  return JSON.parse(line)
}

function dataFiles(dir) {
  const found = []
  const walk = (at) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (full.endsWith('.csv.gz') && full.includes(`${path.sep}data${path.sep}`)) found.push(full)
    }
  }
  walk(dir)
  return found
}

if (!existsSync(day1)) {
  process.stderr.write(`generating ${objects} objects into ${day1}\n`)
  node([cli, 'generate', '--objects', String(objects), '--out', day1, '--seed', '7'])
}
if (!existsSync(day2)) {
  process.stderr.write(`generating the next day (${values['change-pct']}% changed) into ${day2}\n`)
  node([cli, 'generate', '--change-from', day1, '--change-pct', values['change-pct'], '--out', day2, '--seed', '8'])
}

const files = dataFiles(day1)
const compressedMb = files.reduce((sum, file) => sum + statSync(file).size, 0) / 1e6
const results = []
for (let run = 0; run < Number(values.runs); run++) {
  const db = path.join(work, `bench-${run}.db`)
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true })
  if (!values['skip-duckdb']) {
    results.push(JSON.parse(node([path.join(here, 'lib/duckdb-rollup.mjs'), ...files]).trim().split('\n').pop()))
  }
  results.push(step(['--root', day1, '--db', db, '--step', 'A']))
  const dbWorkers = path.join(work, `bench-${run}-workers.db`)
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbWorkers + suffix, { force: true })
  results.push(step(['--root', day1, '--db', dbWorkers, '--step', 'A-workers'], { WORKERS: '2' }))
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbWorkers + suffix, { force: true })
  step(['--root', day1, '--db', db, '--step', 'map-collections', '--collections', values.collections])
  results.push(step(['--root', day1, '--db', db, '--step', 'full']))
  results.push(step(['--root', day2, '--db', db, '--step', `full-${values['change-pct']}%`]))
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true })
}
const summary = { objects, dataFiles: files.length, compressedMb: Number(compressedMb.toFixed(1)), results }
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
