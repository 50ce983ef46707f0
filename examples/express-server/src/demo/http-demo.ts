/**
 * The PRD's whole workflow, driven through the HTTP API only, against real processes: s3rver holding a
 * generated inventory, the server on a fresh database and one agent. `npm run demo` runs it and exits;
 * `npm start` runs it and stays up for the browser.
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { main as cli, nextDayObjects } from '@shuttersense/inventory-cli'
import pg from 'pg'
import type { ConnectorView, JobView } from '../schemas.js'
import { createApiClient, type ApiClient } from './api-client.js'
import { startAgentProcess, startS3Server, startServerProcess, type Child, type S3Server, type ServerProcess } from './processes.js'

const DESTINATION = { destinationBucket: 'inventory-destination', destinationPrefix: 'inv', sourceBucket: 'photos', configName: 'daily' }
const WHERE = ['--source-bucket', DESTINATION.sourceBucket, '--config', DESTINATION.configName, '--prefix', DESTINATION.destinationPrefix]

export interface DemoOptions {
  /** Objects in the first report. */
  objects?: number | undefined
  /** Percent of files the next day's report changes. */
  changePercent?: number | undefined
  /** Port of the server (0: any free one). */
  port?: number | undefined
  /** Environment of the server process on top of this one's, e.g. `{ DATABASE_URL: '' }` for SQLite. */
  serverEnv?: NodeJS.ProcessEnv | undefined
  /** Where the demo's output goes. */
  out?: { write(text: string): unknown } | undefined
}

/** The running installation the demo set up. */
export interface DemoInstallation {
  url: string
  userToken: string
  connectorGuid: string
  /** Every collection with the counts of its latest delta. */
  deltas: { name: string; folderPath: string; counts: { new: number; modified: number; deleted: number; unchanged: number } }[]
  /** The collection refreshed from S3 at the end, with its refresh's delta (nothing changed since the report). */
  refreshed: { guid: string; name: string; counts: { new: number; modified: number; deleted: number; unchanged: number } }
  stop(): Promise<void>
}

interface LatestDelta {
  counts: { new: number; modified: number; deleted: number; unchanged: number }
  new: { key: string }[]
  modified: { key: string }[]
  deleted: { key: string }[]
  truncated: boolean
}

const plural = (count: number, word: string): string => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`

async function generate(argv: string[]): Promise<void> {
  let stderr = ''
  const code = await cli([...argv, ...WHERE], { stdout: { write: () => undefined }, stderr: { write: (text: string) => (stderr += text) } })
  if (code !== 0) throw new Error(`generating the demo inventory failed: ${stderr}`)
}

/** "Phase A 42%": one line per change of phase, so a log reads well without a terminal. */
function progressPrinter(print: (text: string) => void): (job: JobView) => void {
  let last = ''
  return (job) => {
    const progress = job.progress
    const line = job.status === 'queued' ? 'queued' : progress?.phase ? `phase ${progress.phase}` : job.status
    if (line !== last) {
      last = line
      const detail = progress && progress.dataFiles > 0 ? ` (${progress.dataFilesDone}/${plural(progress.dataFiles, 'data file')})` : ''
      print(`   … ${line}${detail}\n`)
    }
  }
}

async function expectCompleted(api: ApiClient, job: JobView, print: (text: string) => void): Promise<JobView> {
  const done = await api.waitForJob(job.guid, { onUpdate: progressPrinter(print) })
  if (done.status !== 'completed') throw new Error(`job ${done.guid} (${done.kind}) ended ${done.status}: ${done.error?.message ?? 'no error recorded'}`)
  return done
}

async function importNow(api: ApiClient, connectorGuid: string, print: (text: string) => void): Promise<void> {
  const { job } = await api.request<{ job: JobView }>('POST', `/api/connectors/${connectorGuid}/inventory/import`)
  print(`$ POST /api/connectors/${connectorGuid}/inventory/import -> 202 ${job.guid}\n`)
  await expectCompleted(api, job, print)
  const status = await api.request<{
    lastImport: { summary: Record<string, unknown> | null; requests: { made: number; listObjectsV2Scan: number } | null } | null
    folderCount: number
  }>('GET', `/api/connectors/${connectorGuid}/inventory/status`)
  const summary = (status.lastImport?.summary ?? {}) as { objectCount?: number; rowsRead?: number; badRows?: number }
  const requests = status.lastImport?.requests
  print(
    `   completed: ${plural(summary.objectCount ?? 0, 'object')}, ${plural(status.folderCount, 'folder')}` +
      (requests ? `; ${plural(requests.made, 'S3 request')} where a ListObjectsV2 scan needs ${requests.listObjectsV2Scan.toLocaleString('en-US')}` : '') +
      '\n',
  )
}

/** Runs the demo; the processes stay up until `stop()`. */
export async function runHttpDemo(options: DemoOptions = {}): Promise<DemoInstallation> {
  const out = options.out ?? process.stdout
  const print = (text: string): void => void out.write(text)
  const step = (title: string): void => print(`\n## ${title}\n`)
  const home = await mkdtemp(path.join(tmpdir(), 'shuttersense-demo-'))
  const children: Child[] = []
  let s3: S3Server | undefined
  let server: ServerProcess | undefined
  // On Postgres the demo keeps to a schema of its own, dropped when it stops (unless one is named).
  const serverEnv: NodeJS.ProcessEnv = { ...process.env, ...options.serverEnv }
  const demoSchema = serverEnv.DATABASE_URL && !serverEnv.SHUTTERSENSE_DATABASE_SCHEMA ? `shuttersense_demo_${randomBytes(4).toString('hex')}` : null
  if (demoSchema) serverEnv.SHUTTERSENSE_DATABASE_SCHEMA = demoSchema
  const stop = async (): Promise<void> => {
    for (const started of children.reverse()) await started.stop()
    await s3?.stop()
    await rm(home, { recursive: true, force: true })
    if (demoSchema) {
      const client = new pg.Client({ connectionString: serverEnv.DATABASE_URL })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(demoSchema)} CASCADE`)
      } finally {
        await client.end()
      }
    }
  }
  try {
    const objects = options.objects ?? 20_000
    step(`Generate a sample inventory (${plural(objects, 'object')}, 2 data files) and put it in a local S3 (s3rver)`)
    const day1 = path.join(home, 'day1')
    const day2 = path.join(home, 'day2')
    await generate(['generate', '--out', day1, '--objects', String(objects), '--files', '2', '--seed', '7'])
    s3 = await startS3Server()
    await s3.createBucket(DESTINATION.destinationBucket)
    const uploaded = await s3.uploadDirectory(DESTINATION.destinationBucket, day1)
    print(`   s3://${DESTINATION.destinationBucket}/${DESTINATION.destinationPrefix}/… holds ${plural(uploaded, 'file')} of the report (${s3.endpoint})\n`)

    const userToken = `ssu_demo_${randomBytes(16).toString('hex')}`
    const registration = randomBytes(16).toString('hex')
    const database = serverEnv.DATABASE_URL ? `Postgres (DATABASE_URL, schema ${serverEnv.SHUTTERSENSE_DATABASE_SCHEMA ?? 'public'})` : 'a new SQLite file'
    step(`Start the server on ${database} and one agent process`)
    server = await startServerProcess({
      SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SHUTTERSENSE_ADMIN_TOKEN: userToken,
      SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: registration,
      SHUTTERSENSE_DATA_DIR: path.join(home, 'server'),
      PORT: String(options.port ?? 0),
      ...options.serverEnv,
      ...(demoSchema ? { SHUTTERSENSE_DATABASE_SCHEMA: demoSchema } : {}),
    })
    children.push(server)
    children.push(
      startAgentProcess(server.url, {
        SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: registration,
        SHUTTERSENSE_AGENT_STATE: path.join(home, 'agent.json'),
        SHUTTERSENSE_SCRATCH_DIR: path.join(home, 'agent-scratch'),
        SHUTTERSENSE_AGENT_NAME: 'demo-agent',
      }),
    )
    print(`   server ${server.url}, agent demo-agent\n`)
    const api = createApiClient(server.url, userToken)

    step('Create the connector with its credentials (write-only), then configure its inventory')
    const connector = await api.request<ConnectorView>('POST', '/api/connectors', {
      name: `Photo archive ${new Date().toISOString().slice(0, 19)}`,
      // Field by field: the S3 client marks the object it was given with fields of its own.
      credentials: {
        accessKeyId: s3.credentials.accessKeyId,
        secretAccessKey: s3.credentials.secretAccessKey,
        region: s3.credentials.region,
        endpoint: s3.credentials.endpoint,
        forcePathStyle: true,
      },
    })
    print(`$ POST /api/connectors -> 201 ${connector.guid} (hasCredentials: ${connector.hasCredentials})\n`)
    await api.request('PUT', `/api/connectors/${connector.guid}/inventory/config`, { ...DESTINATION, format: 'CSV', schedule: 'daily' })
    print(`$ PUT /api/connectors/${connector.guid}/inventory/config -> daily schedule, CSV\n`)

    step('Test access (an agent runs it)')
    const { job: testJob } = await api.request<{ job: JobView }>('POST', `/api/connectors/${connector.guid}/inventory/test`)
    const tested = await expectCompleted(api, testJob, print)
    const result = tested.result as { ok: boolean; latest?: { timestamp: string; dataFiles: number }; message?: string }
    if (!result.ok) throw new Error(`the access test failed: ${result.message ?? JSON.stringify(result)}`)
    print(`   found report ${result.latest!.timestamp}, ${plural(result.latest!.dataFiles, 'data file')}\n`)

    step('Import now (phase A: folders; no collections yet)')
    await importNow(api, connector.guid, print)

    step('Top-level folders')
    const top = await api.request<{ folders: { path: string; objectCount: number; totalSizeBytes: number; hasChildren: boolean }[] }>(
      'GET',
      `/api/connectors/${connector.guid}/inventory/folders?parent=`,
    )
    for (const folder of top.folders.slice(0, 10)) print(`   ${folder.path.padEnd(24)} ${plural(folder.objectCount, 'object').padStart(16)}  ${(folder.totalSizeBytes / 1e9).toFixed(2)} GB\n`)

    step('Map every folder two levels deep to a collection with its suggested name (this queues an import)')
    const second: { path: string; suggestedName: string }[] = []
    for (const folder of top.folders.filter((f) => f.hasChildren)) {
      const page = await api.request<{ folders: { path: string; suggestedName: string }[] }>(
        'GET',
        `/api/connectors/${connector.guid}/inventory/folders?parent=${encodeURIComponent(folder.path)}&limit=10000`,
      )
      second.push(...page.folders)
    }
    const mapped = await api.request<{ collections: { guid: string; name: string; folderPath: string }[]; job: JobView | null }>('POST', '/api/collections/from-inventory', {
      connectorGuid: connector.guid,
      folders: second.map((folder) => ({ path: folder.path })),
    })
    for (const collection of mapped.collections.slice(0, 5)) print(`   ${collection.folderPath} -> "${collection.name}"\n`)
    print(`   … ${plural(mapped.collections.length, 'collection')} created; import ${mapped.job?.guid ?? '(none)'} gives them FileInfo\n`)
    if (mapped.job) await expectCompleted(api, mapped.job, print)

    step(`The next day's report: ${options.changePercent ?? 2}% of files new, modified or deleted`)
    await generate(['generate', '--out', day2, '--change-from', day1, '--change-pct', String(options.changePercent ?? 2), '--seed', '8'])
    const added = await s3.uploadDirectory(DESTINATION.destinationBucket, day2)
    print(`   uploaded ${plural(added, 'file')} of the new report\n`)

    step('Import now again (A: folders, B: FileInfo per collection, C: deltas)')
    await importNow(api, connector.guid, print)

    step('Deltas per collection (GET /api/collections/{guid}/deltas/latest)')
    const deltas: DemoInstallation['deltas'] = []
    for (const collection of mapped.collections) {
      const delta = await api.request<LatestDelta>('GET', `/api/collections/${collection.guid}/deltas/latest`)
      deltas.push({ name: collection.name, folderPath: collection.folderPath, counts: delta.counts })
    }
    const changed = deltas.filter((d) => d.counts.new + d.counts.modified + d.counts.deleted > 0)
    for (const d of changed.slice(0, 12)) {
      print(`   ${d.name.padEnd(36)} +${d.counts.new} new, ~${d.counts.modified} modified, -${d.counts.deleted} deleted, ${d.counts.unchanged} unchanged\n`)
    }
    if (changed.length > 12) print(`   … ${changed.length - 12} more changed collections\n`)
    const total = deltas.reduce((sum, d) => ({ new: sum.new + d.counts.new, modified: sum.modified + d.counts.modified, deleted: sum.deleted + d.counts.deleted }), { new: 0, modified: 0, deleted: 0 })
    print(`   in all: ${total.new} new, ${total.modified} modified, ${total.deleted} deleted across ${plural(deltas.length, 'collection')}\n`)

    step(`Refresh a collection from S3 (a live ListObjectsV2 of its folder in s3://${DESTINATION.sourceBucket})`)
    // The source bucket holds the objects the newest report describes (same keys, sizes, ETags and dates),
    // so "Refresh from S3" works in `npm start` too. The report's own objects, read back unchanged:
    await s3.createBucket(DESTINATION.sourceBucket)
    const written = await s3.writeObjects(DESTINATION.sourceBucket, nextDayObjects(day2, { ...DESTINATION }, 0, 0, { added: 0, modified: 0, deleted: 0 }))
    print(`   s3://${DESTINATION.sourceBucket}/ holds the report's ${plural(written, 'object')}\n`)
    const chosen = mapped.collections[0]!
    const { job: refreshJob } = await api.request<{ job: JobView }>('POST', `/api/collections/${chosen.guid}/refresh`)
    print(`$ POST /api/collections/${chosen.guid}/refresh -> 202 ${refreshJob.guid}\n`)
    await expectCompleted(api, refreshJob, print)
    const live = await api.request<LatestDelta>('GET', `/api/collections/${chosen.guid}/deltas/latest`)
    print(
      `   ${chosen.name}: the live listing agrees with the inventory: ${live.counts.new} new, ${live.counts.modified} modified, ${live.counts.deleted} deleted (${live.counts.unchanged} unchanged)\n`,
    )
    const refreshed = { guid: chosen.guid, name: chosen.name, counts: live.counts }
    return { url: server.url, userToken, connectorGuid: connector.guid, deltas, refreshed, stop }
  } catch (error) {
    const logs = children.map((c) => c.output()).join('\n').trim()
    await stop()
    if (logs && error instanceof Error) error.message += `\n--- server and agent output ---\n${logs.slice(-4000)}`
    throw error
  }
}
