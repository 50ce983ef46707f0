// The import benchmark of docs/benchmarks.md. Run from the repository root after `npm run build`:
//   node benchmarks/bench-import.mjs --objects 1000000 [--collections 1000] [--change-pct 1] [--skip-duckdb] [--sorted]
//     [--baseline DIR] [--steps A,full,full-1%] [--store sqlite|postgres]
// Reports are generated as AWS writes them (rows in random order within and across data files);
// `--sorted` generates them with each folder's rows together in key order (the old generator's order).
// Each step runs in its own process, so its peak RSS is its own:
//   duckdb   the reference: DuckDB's folder rollup of the same data files
//   A        phase A alone: the first import of a connector without collections (folders only), as the
//            CLI runs it by default (defaultWorkerCount() worker threads beside the main thread)
//   full     A+B+C with every object in ~`collections` collections: the first FileInfo write (baseline)
//   full-1%  A+B+C on the next day's report with `change-pct`% of files added/modified/deleted
// and each import step again with every file parsed on the main thread (`-main-thread`, `--workers 0`).
// `--baseline DIR` runs each import step a second time with the build of another checkout (DIR, built),
// right after this build's, on the same inventories and a database of its own: old beside new in one run.
// `--steps` picks the import steps (A alone skips the next day's report). Every step reports
// `processSeconds`, the wall time of its whole process (start-up included), and `cpuSeconds`.
// `--store postgres` imports into PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
// a schema per database, dropped at the end (a baseline's import-step must know `--db postgres://…#schema`).
// Inventories are generated once into .bench/<objects>-<order>/ and reused.
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
    sorted: { type: 'boolean', default: false },
    'skip-main-thread': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    steps: { type: 'string', default: 'A,full,full-1%' },
    store: { type: 'string', default: 'sqlite' },
  },
})
if (!['sqlite', 'postgres'].includes(values.store)) throw new Error('--store must be sqlite or postgres')
const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const steps = new Set(values.steps.split(','))
const fullSteps = steps.has('full') || steps.has('full-1%')
const objects = Number(values.objects)
const here = path.dirname(new URL(import.meta.url).pathname)
const root = path.resolve(here, '..')
const cli = path.join(root, 'packages/cli/dist/bin.js')
const order = values.sorted ? 'sorted' : 'random'
const work = path.join(root, '.bench', `${objects}-${order}`)
const orderArgs = values.sorted ? ['--sorted'] : []
const day1 = path.join(work, 'day1')
const day2 = path.join(work, 'day2')

function node(args, options = {}) {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, ...options })
}

/** Runs a script in its own process; its last output line (JSON) with the process's wall time. */
function measured(args, env = {}) {
  const started = performance.now()
  const line = node(args, { env: { ...process.env, ...env } }).trim().split('\n').pop()
  return { ...JSON.parse(line), processSeconds: Number(((performance.now() - started) / 1000).toFixed(2)) }
}

const checkouts = [{ build: 'new', dir: root }]
if (values.baseline) checkouts.push({ build: 'baseline', dir: path.resolve(values.baseline) })

/** An import step with each checkout's build, each on its own database (`db` is this build's). */
function step(args, db, env = {}) {
  return checkouts.map(({ build, dir }) => {
    const database = databaseOf(db, build)
    // With the flag the CLI's shebang passes (see packages/cli/src/bin.ts).
    const result = measured(['--max-semi-space-size=8', path.join(dir, 'benchmarks/lib/import-step.mjs'), ...args, '--db', database], env)
    return checkouts.length > 1 ? { build, ...result } : result
  })
}

/** The database of a build: a SQLite file, or a PostgreSQL schema named after it. */
function databaseOf(db, build) {
  if (values.store === 'postgres') return `${postgresUrl}#bench_${path.basename(db).replace(/\W/g, '_')}_${build}`
  return build === 'new' ? db : `${db}-${build}.db`
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
  node([cli, 'generate', '--objects', String(objects), '--out', day1, '--seed', '7', ...orderArgs])
}
if (fullSteps && !existsSync(day2)) {
  process.stderr.write(`generating the next day (${values['change-pct']}% changed) into ${day2}\n`)
  node([cli, 'generate', '--change-from', day1, '--change-pct', values['change-pct'], '--out', day2, '--seed', '8', ...orderArgs])
}

const files = dataFiles(day1)
const compressedMb = files.reduce((sum, file) => sum + statSync(file).size, 0) / 1e6
const results = []
for (let run = 0; run < Number(values.runs); run++) {
  const db = path.join(work, `bench-${run}.db`)
  if (!values['skip-duckdb']) {
    results.push(measured([path.join(here, 'lib/duckdb-rollup.mjs'), ...files]))
  }
  const mainDb = path.join(work, `bench-${run}-main-thread.db`)
  const removeDatabases = () => {
    for (const file of [db, mainDb]) {
      for (const { build } of checkouts) {
        const database = databaseOf(file, build)
        if (values.store === 'postgres') {
          node([path.join(here, 'lib/import-step.mjs'), '--root', day1, '--step', 'drop', '--db', database])
          continue
        }
        for (const suffix of ['', '-wal', '-shm']) rmSync(database + suffix, { force: true })
      }
    }
  }
  removeDatabases()
  const mainThread = { WORKERS: '0' }
  const record = (stepResults) => results.push(...stepResults)
  if (steps.has('A') || fullSteps) record(step(['--root', day1, '--step', 'A'], db))
  if (!values['skip-main-thread'] && (steps.has('A') || fullSteps)) record(step(['--root', day1, '--step', 'A-main-thread'], mainDb, mainThread))
  const variants = [[db, {}, '']]
  if (!values['skip-main-thread']) variants.push([mainDb, mainThread, '-main-thread'])
  for (const [database, env, suffix] of fullSteps ? variants : []) {
    step(['--root', day1, '--step', 'map-collections', '--collections', values.collections], database)
    if (steps.has('full')) record(step(['--root', day1, '--step', `full${suffix}`], database, env))
    if (steps.has('full-1%')) record(step(['--root', day2, '--step', `full-${values['change-pct']}%${suffix}`], database, env))
  }
  removeDatabases()
}
const summary = { objects, order, store: values.store, collectionsWanted: Number(values.collections), dataFiles: files.length, compressedMb: Number(compressedMb.toFixed(1)), results }
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
