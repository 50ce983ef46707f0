// Phase A of the same inventory in CSV, Parquet and ORC, beside DuckDB's read_parquet rollup of the
// Parquet files, in one run (docs/benchmarks.md § Formats). Run from the repository root after `npm run build`:
//   node benchmarks/bench-formats.mjs --objects 1000000 [--files 4] [--runs 1] [--skip-duckdb] [--baseline DIR]
// The three reports are generated once, with the same seed (so the same objects, in the same random order
// within and across data files, as AWS writes them), into .bench/formats-<objects>/<format>/ and reused.
// Each step runs in its own process, so its peak RSS is its own:
//   duckdb-read_parquet  the reference: DuckDB's folder rollup of the Parquet data files
//   A-csv, A-parquet, A-orc  phase A alone (a first import without collections, folders stored), as the CLI
//            runs it (defaultWorkerCount() worker threads beside the main thread)
// A format whose import fails (a build without its reader) is reported as { step, pending: message }.
// `--baseline DIR` runs each A-* step a second time with the build of another checkout (DIR, built), right
// after this build's, on the same files (`build: 'baseline'`): old beside new in one run. Every step
// reports `vsCsv`, its time over the CSV step's of the same build and run.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000000' },
    files: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    'skip-duckdb': { type: 'boolean', default: false },
    formats: { type: 'string', default: 'csv,parquet,orc' },
    baseline: { type: 'string' },
  },
})
const objects = Number(values.objects)
const formats = values.formats.split(',')
const here = path.dirname(new URL(import.meta.url).pathname)
const root = path.resolve(here, '..')
const cli = path.join(root, 'packages/cli/dist/bin.js')
const work = path.join(root, '.bench', `formats-${objects}`)
const EXTENSION = { csv: '.csv.gz', parquet: '.parquet', orc: '.orc' }

function node(args, options = {}) {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, ...options })
}

function dataFiles(dir, extension) {
  const found = []
  const walk = (at) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (full.endsWith(extension) && full.includes(`${path.sep}data${path.sep}`)) found.push(full)
    }
  }
  walk(dir)
  return found
}

const generated = {}
for (const format of formats) {
  const out = path.join(work, format)
  if (!existsSync(out)) {
    process.stderr.write(`generating ${objects} objects as ${format} into ${out}\n`)
    const started = performance.now()
    node([cli, 'generate', '--objects', String(objects), '--files', values.files, '--out', out, '--seed', '7', '--format', format])
    generated[format] = Number(((performance.now() - started) / 1000).toFixed(1))
  }
}

const checkouts = [{ build: 'new', dir: root }]
if (values.baseline) checkouts.push({ build: 'baseline', dir: path.resolve(values.baseline) })

function step(format, db, dir) {
  try {
    const line = node(['--max-semi-space-size=8', path.join(dir, 'benchmarks/lib/import-step.mjs'), '--root', path.join(work, format), '--db', db, '--step', `A-${format}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .pop()
    return JSON.parse(line)
  } catch (error) {
    const lines = String(error.stderr ?? error.message).trim().split('\n')
    const message = lines.find((text) => /^\w*Error\b.*:/.test(text)) ?? lines.at(-1)
    return { step: `A-${format}`, pending: message.slice(0, 300) }
  }
}

const sizes = Object.fromEntries(
  formats.map((format) => [format, Number((dataFiles(path.join(work, format), EXTENSION[format]).reduce((sum, file) => sum + statSync(file).size, 0) / 1e6).toFixed(1))]),
)
const results = []
for (let run = 0; run < Number(values.runs); run++) {
  if (!values['skip-duckdb'] && formats.includes('parquet')) {
    results.push(JSON.parse(node([path.join(here, 'lib/duckdb-rollup.mjs'), '--parquet', ...dataFiles(path.join(work, 'parquet'), '.parquet')]).trim().split('\n').pop()))
  }
  const reference = results.at(-1)?.step === 'duckdb-read_parquet' ? results.at(-1) : undefined
  const steps = []
  for (const format of formats) {
    for (const { build, dir } of checkouts) {
      const db = path.join(work, `bench-${format}-${run}-${build}.db`)
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true })
      const result = step(format, db, dir)
      steps.push(checkouts.length > 1 ? { build, ...result } : result)
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true })
    }
  }
  for (const result of steps) {
    const csv = steps.find((other) => other.step === 'A-csv' && other.build === result.build)
    if (reference && result.seconds !== undefined) result.vsDuckdb = Number((result.seconds / reference.seconds).toFixed(2))
    if (csv?.seconds !== undefined && result.seconds !== undefined) result.vsCsv = Number((result.seconds / csv.seconds).toFixed(2))
  }
  results.push(...steps)
}
process.stdout.write(`${JSON.stringify({ objects, dataFiles: Number(values.files), megabytes: sizes, generateSeconds: generated, results }, null, 2)}\n`)
