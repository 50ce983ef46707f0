// Server + agent benchmark: the import of an N-object inventory from s3rver through the reference server
// and one agent process over HTTP, beside the in-process CLI import of the same reports in the same run.
// Prints one JSON document.
//
//   npm run build && node benchmarks/agent-import.mjs [--objects 1000000] [--change-pct 1] [--depth 2]
//                      [--postgres postgres://127.0.0.1:5432/test] [--profile DIR]
//
// Steps, each run by the CLI (`import --from s3://…`) and by server + agent, on the same kind of database
// (SQLite files; or with --postgres a fresh schema each for the CLI and the server, dropped at the end):
//   1. first import of day 1 (phase A: folders)
//   2. every folder --depth levels deep mapped to a collection, day 1 imported again (B: FileInfo baseline)
//   3. the next day's report (--change-pct changed), imported (A, B, C: deltas)
// Peak RSS (VmHWM) of the CLI, the server and the agent is read from /proc while they run. With
// --profile DIR, the CLI, the server and the agent write V8 CPU profiles under DIR/{cli,server,agent}.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import * as path from 'node:path'
import { parseArgs } from 'node:util'
import { BUCKET, CLI, dropSchema, generateReports, run, startInstallation, WHERE, withSchema } from './lib/installation.mjs'

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000000' },
    'change-pct': { type: 'string', default: '1' },
    depth: { type: 'string', default: '2' },
    postgres: { type: 'string' },
    profile: { type: 'string' },
  },
})
const log = (message) => process.stderr.write(`[agent-import] ${message}\n`)
const seconds = (since) => Number(((performance.now() - since) / 1000).toFixed(2))
/** NODE_OPTIONS refuses --cpu-prof: a preloaded module profiles the process instead. */
const profileEnv = (name) =>
  args.profile ? { NODE_OPTIONS: `--import=${path.join(import.meta.dirname, 'lib/cpu-profile.mjs')}`, CPU_PROFILE_DIR: path.resolve(args.profile, name) } : {}

const dir = await mkdtemp(path.join(tmpdir(), 'agent-import-bench-'))
const cliSchema = `bench_cli_${randomBytes(4).toString('hex')}`
let installation
try {
  log(`generating ${args.objects} objects and the next day's report (${args['change-pct']}% changed)`)
  const { day1, day2 } = await generateReports(dir, { objects: args.objects, changePct: args['change-pct'] })
  installation = await startInstallation({ dir, day1, postgres: args.postgres, processEnv: profileEnv })
  const { s3, store, connector } = installation

  // The CLI, in-process (the reference), on the same kind of database.
  const cliEnv = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1', ...profileEnv('cli') }
  const db = args.postgres ? withSchema(args.postgres, cliSchema) : path.join(dir, 'cli.sqlite')
  const cliImport = async () => {
    const started = performance.now()
    const { peakRssMb } = await run(
      process.execPath,
      ['--max-semi-space-size=8', CLI, 'import', '--from', `s3://${BUCKET}/inv`, '--endpoint', s3.endpoint, ...WHERE.slice(0, 4), '--db', db, '--json'],
      cliEnv,
    )
    return { seconds: seconds(started), peakRssMb }
  }
  const agentImport = async () => {
    const started = performance.now()
    await installation.importNow()
    return { seconds: seconds(started) }
  }

  const steps = {}
  log('1. first import (folders)')
  steps.firstImport = { cli: await cliImport(), serverAgent: await agentImport() }
  await run(process.execPath, [CLI, 'collections', 'create', '--db', db, '--depth', args.depth, '--json'])
  const { folders } = await store.listFolders(connector.id, { depth: Number(args.depth), limit: 100_000 })
  await store.createCollections(connector.id, folders.map((folder, i) => ({ name: `C${i} ${folder.path}`, folderPath: folder.path })))
  log(`2. ${folders.length} collections: baseline FileInfo`)
  steps.baseline = { cli: await cliImport(), serverAgent: await agentImport() }
  await s3.uploadDirectory(BUCKET, day2)
  log('3. next day: FileInfo and deltas')
  steps.nextDay = { cli: await cliImport(), serverAgent: await agentImport() }
  for (const step of Object.values(steps)) step.ratio = Number((step.serverAgent.seconds / step.cli.seconds).toFixed(2))

  const result = {
    objects: Number(args.objects),
    changePct: Number(args['change-pct']),
    collections: folders.length,
    database: args.postgres ? 'postgres' : 'sqlite',
    steps,
    peakRssMb: installation.peakRssMb(),
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), load: loadavg().map((l) => Number(l.toFixed(2))) },
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
} finally {
  await installation?.close()
  if (args.postgres) await dropSchema(args.postgres, cliSchema)
  await rm(dir, { recursive: true, force: true })
}
