import * as path from 'node:path'
import { importInventory, type InventoryLocation, type ObjectSource } from '@shuttersense/inventory-core'
import { countBadRows } from '@shuttersense/inventory-core/pure'
import type { ImportResult } from '@shuttersense/inventory-core/types'
import { createLocalDirectorySource } from '@shuttersense/inventory-core/node'
import type { ListRequestsSaved } from '@shuttersense/inventory-s3'
import { formatBytes, formatCount, printJson, UsageError, type CliIo } from '../cli-io.js'
import { openStore } from '../open-store.js'
import { createProgressBar } from '../progress-bar.js'

export interface ImportArgs {
  from?: string | undefined
  'source-bucket'?: string | undefined
  config?: string | undefined
  prefix?: string | undefined
  db?: string | undefined
  endpoint?: string | undefined
  region?: string | undefined
  concurrency?: string | undefined
  workers?: string | undefined
  json?: boolean | undefined
}

interface ResolvedSource {
  source: ObjectSource
  location: InventoryLocation
  /** For S3: the request cost against a ListObjectsV2 scan of the same objects. */
  cost?: ((objectCount: number, requests: Record<string, number>) => ListRequestsSaved) | undefined
  /** Releases the source (the S3 client's sockets). */
  dispose(): void
}

/** `--from DIR` reads a downloaded copy of the destination bucket; `--from s3://bucket[/prefix]` reads S3. */
async function resolveSource(args: ImportArgs): Promise<ResolvedSource> {
  const from = args.from
  if (!from) throw new UsageError('--from DIR or --from s3://bucket[/prefix] is required')
  const sourceBucket = args['source-bucket']
  const configName = args.config
  if (!sourceBucket) throw new UsageError('--source-bucket B is required (the bucket the inventory describes)')
  if (!configName) throw new UsageError('--config C is required (the S3 Inventory configuration name)')
  if (from.startsWith('s3://')) {
    const [bucket = '', ...rest] = from.slice('s3://'.length).split('/')
    if (!bucket) throw new UsageError(`--from has no bucket: "${from}"`)
    const destinationPrefix = [rest.join('/'), args.prefix ?? ''].filter((part) => part.length > 0).join('/') || undefined
    const { createS3Source, listRequestsSaved } = await import('@shuttersense/inventory-s3')
    // Credentials and region come from the standard AWS chain (environment, shared files, SSO, instance
    // role); S3-compatible servers behind --endpoint are addressed path-style (endpoint/bucket/key).
    const source = createS3Source({
      endpoint: args.endpoint,
      region: args.region,
      forcePathStyle: args.endpoint !== undefined,
    })
    return {
      source,
      location: { destinationBucket: bucket, destinationPrefix, sourceBucket, configName },
      cost: (objectCount, requests) => listRequestsSaved({ objectCount, requests }),
      dispose: () => source.destroy(),
    }
  }
  const root = path.resolve(from)
  return {
    source: createLocalDirectorySource(root),
    // A local copy stands for its destination bucket; its absolute path names it.
    location: { destinationBucket: root, destinationPrefix: args.prefix, sourceBucket, configName },
    dispose: () => undefined,
  }
}

/** `import`: runs phases A, B and C and prints a summary. */
export async function runImport(args: ImportArgs, io: CliIo, signal?: AbortSignal): Promise<void> {
  const concurrency = args.concurrency === undefined ? undefined : Number(args.concurrency)
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new UsageError(`--concurrency must be a whole number >= 1: "${args.concurrency}"`)
  }
  const workers = args.workers === undefined ? undefined : Number(args.workers)
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`--workers must be a whole number >= 0: "${args.workers}"`)
  const resolved = await resolveSource(args)
  try {
    await importWith(resolved, concurrency, workers, args, io, signal)
  } finally {
    resolved.dispose()
  }
}

async function importWith(
  { source, location, cost: costOf }: ResolvedSource,
  concurrency: number | undefined,
  workers: number | undefined,
  args: ImportArgs,
  io: CliIo,
  signal: AbortSignal | undefined,
): Promise<void> {
  const store = await openStore(args.db)
  const bar = createProgressBar(io)
  const started = performance.now()
  try {
    const result = await importInventory({
      location,
      source,
      store,
      agentId: `cli-${process.pid}`,
      concurrency,
      workers,
      signal,
      onProgress: (progress) => bar.update(progress),
    }).finally(() => bar.done())
    const { connector, jobId } = result
    const seconds = (performance.now() - started) / 1000
    const collections = await store.listCollections(connector.id)
    const deltas = await Promise.all(
      collections.map(async (collection) => ({ collection, delta: await store.getLatestDelta(collection.id) })),
    )
    const forThisImport = deltas.filter(({ delta }) => delta?.importId === result.session.id)
    const requests = result.summary.requests
    const cost = costOf && requests ? costOf(result.summary.objectCount, requests) : undefined
    if (args.json) {
      printJson(io, {
        importId: result.session.id,
        jobId,
        connectorId: connector.id,
        manifestKey: result.session.manifestKey,
        inventoryTimestamp: result.session.inventoryTimestamp,
        noNewReport: result.noNewReport,
        resumed: result.resumed,
        resumedFrom: result.resumedFrom,
        skippedFolders: result.skippedFolders,
        summary: result.summary,
        ...(cost ? { cost } : {}),
        collections: forThisImport.map(({ collection, delta }) => ({
          id: collection.id,
          name: collection.name,
          folderPath: collection.folderPath,
          fileCount: collection.fileCount,
          delta: delta?.counts,
        })),
        seconds: Number(seconds.toFixed(3)),
      })
      return
    }
    const { summary } = result
    const rows = summary.rows
    const out: string[] = []
    if (result.noNewReport) {
      out.push(
        `No new report: ${result.session.manifestKey} was imported completely (${result.session.finishedAt ?? ''}) and no collection was added since; nothing was downloaded (${seconds.toFixed(1)} s)`,
      )
    } else {
      out.push(`Imported ${result.session.manifestKey} (${summary.dataFiles} data file${summary.dataFiles === 1 ? '' : 's'}, ${formatBytes(summary.compressedBytes)} compressed) in ${seconds.toFixed(1)} s${resumedNote(result.resumedFrom)}`)
    }
    for (const skipped of result.skippedFolders) out.push(`  skipped newer folder ${skipped.folder}: ${skipped.reason} (still being written?)`)
    out.push(
      `  rows ${formatCount(rows.rows)}: ${formatCount(rows.records)} objects, ${formatCount(rows.noncurrentVersions)} noncurrent versions, ` +
        `${formatCount(rows.deleteMarkers)} delete markers, ${formatCount(countBadRows(rows))} bad rows`,
    )
    for (const [reason, count] of Object.entries(rows.badRows)) out.push(`    bad rows ${reason}: ${formatCount(count ?? 0)}`)
    for (const sample of rows.badRowSamples.slice(0, 5)) out.push(`    e.g. ${sample.file} line ${sample.line}: ${sample.reason}`)
    out.push(`  ${formatCount(summary.folderCount)} folders, ${formatCount(summary.objectCount)} objects, ${formatBytes(summary.totalSizeBytes)}`)
    if (result.noNewReport) {
      // The earlier import's figures above; its collections' deltas stand as they were.
    } else if (forThisImport.length === 0) {
      out.push('  no collections yet: map folders with `collections create --db FILE --depth 2` and import again')
    } else {
      const total = { new: 0, modified: 0, deleted: 0 }
      for (const { delta } of forThisImport) {
        total.new += delta?.counts.new ?? 0
        total.modified += delta?.counts.modified ?? 0
        total.deleted += delta?.counts.deleted ?? 0
      }
      out.push(`  ${formatCount(forThisImport.length)} collections: +${formatCount(total.new)} new, ~${formatCount(total.modified)} modified, -${formatCount(total.deleted)} deleted`)
      for (const { collection, delta } of forThisImport.slice(0, 10)) {
        const counts = delta?.counts
        out.push(`    ${collection.name}: ${formatCount(collection.fileCount)} files (+${counts?.new ?? 0} ~${counts?.modified ?? 0} -${counts?.deleted ?? 0})`)
      }
      if (forThisImport.length > 10) out.push(`    … and ${formatCount(forThisImport.length - 10)} more (collections list --db FILE)`)
    }
    if (summary.requests) {
      out.push(`  requests: ${Object.entries(summary.requests).map(([type, n]) => `${type} ${formatCount(n)}`).join(', ')}`)
    }
    if (cost) {
      out.push(
        `  a ListObjectsV2 scan of the ${formatCount(summary.objectCount)} objects needs ${formatCount(cost.listObjectsV2Requests)} requests: ` +
          `${formatCount(cost.saved)} saved (${cost.savedPercent}%)`,
      )
    }
    io.stdout.write(`${out.join('\n')}\n`)
  } finally {
    await store.close()
  }
}

function resumedNote(from: ImportResult['resumedFrom']): string {
  switch (from) {
    case 'running':
      return ', resuming an interrupted run'
    case 'failed':
      return ', continuing a failed run of this report'
    case 'completed':
      return ' (this report was imported before: only collections added since were imported)'
    default:
      return ''
  }
}
