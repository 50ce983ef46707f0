import { suggestUniqueCollectionNames, type FolderSummary, type InventoryStore } from '@shuttersense/inventory-core'
import type { NewCollection } from '@shuttersense/inventory-core/types'
import { formatBytes, formatCount, printJson, UsageError, type CliIo } from '../cli-io.js'
import { openStore, resolveConnector } from '../open-store.js'

export interface InspectArgs {
  db?: string | undefined
  connector?: string | undefined
  collection?: string | undefined
  prefix?: string | undefined
  depth?: string | undefined
  folder?: string[] | undefined
  name?: string | undefined
  json?: boolean | undefined
}

async function withStore<T>(db: string | undefined, work: (store: InventoryStore) => Promise<T>): Promise<T> {
  const store = await openStore(db)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

function parseDepth(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const depth = Number(value)
  if (!Number.isInteger(depth) || depth < 1) throw new UsageError(`--depth must be a whole number >= 1: "${value}"`)
  return depth
}

async function allFolders(store: InventoryStore, connectorId: string, prefix?: string, depth?: number): Promise<FolderSummary[]> {
  const folders: FolderSummary[] = []
  let cursor: string | undefined
  do {
    const page = await store.listFolders(connectorId, { prefix, depth, cursor, limit: 5000 })
    folders.push(...page.folders)
    cursor = page.nextCursor ?? undefined
  } while (cursor !== undefined)
  return folders
}

/** `folders`: every folder of the last import with its direct and subtree figures. */
export async function runFolders(args: InspectArgs, io: CliIo): Promise<void> {
  await withStore(args.db, async (store) => {
    const connector = await resolveConnector(store, args.connector)
    const folders = await allFolders(store, connector.id, args.prefix, parseDepth(args.depth))
    if (args.json) {
      printJson(io, { folders })
      return
    }
    for (const folder of folders) {
      io.stdout.write(
        `${folder.path}\t${formatCount(folder.objectCount)} objects\t${formatBytes(folder.totalSizeBytes)}\t` +
          `(direct ${formatCount(folder.directObjectCount)}, ${formatBytes(folder.directSizeBytes)})\t${folder.lastModified ?? '-'}\n`,
      )
    }
    io.stdout.write(`${formatCount(folders.length)} folders\n`)
  })
}

/** `collections create`: binds folders to new collections, named by `suggestCollectionName` unless `--name`. */
export async function runCollectionsCreate(args: InspectArgs, io: CliIo): Promise<void> {
  await withStore(args.db, async (store) => {
    const connector = await resolveConnector(store, args.connector)
    const depth = parseDepth(args.depth)
    const explicit = args.folder ?? []
    if ((explicit.length > 0) === (depth !== undefined)) throw new UsageError('pass either --folder PATH... or --depth N')
    if (args.name !== undefined && explicit.length !== 1) throw new UsageError('--name goes with exactly one --folder')
    const existing = await store.listCollections(connector.id)
    const bound = new Set(existing.map((collection) => collection.folderPath))
    const paths = (depth !== undefined ? (await allFolders(store, connector.id, undefined, depth)).map((f) => f.path) : explicit)
      .map((folder) => (folder.endsWith('/') ? folder : `${folder}/`))
      .filter((folder) => depth === undefined || !bound.has(folder))
    const names = args.name !== undefined ? [args.name] : suggestUniqueCollectionNames(paths, existing.map((c) => c.name))
    const input: NewCollection[] = paths.map((folderPath, i) => ({ folderPath, name: names[i]! }))
    const created = input.length > 0 ? await store.createCollections(connector.id, input) : []
    if (args.json) {
      printJson(io, { collections: created })
      return
    }
    for (const collection of created) io.stdout.write(`${collection.id}\t${collection.name}\t${collection.folderPath}\n`)
    io.stdout.write(`${formatCount(created.length)} collections created${created.length > 0 ? '; import again to fill their FileInfo' : ''}\n`)
  })
}

/** `collections list`: every collection with its cached FileInfo figures. */
export async function runCollectionsList(args: InspectArgs, io: CliIo): Promise<void> {
  await withStore(args.db, async (store) => {
    const collections = await store.listCollections(args.connector)
    if (args.json) {
      printJson(io, { collections })
      return
    }
    for (const c of collections) {
      io.stdout.write(`${c.id}\t${c.name}\t${c.folderPath}\t${formatCount(c.fileCount)} files\t${c.fileInfoSource ?? 'not imported'}\t${c.fileInfoUpdatedAt ?? '-'}\n`)
    }
    io.stdout.write(`${formatCount(collections.length)} collections\n`)
  })
}

/** `delta`: the newest delta of a collection. */
export async function runDelta(args: InspectArgs, io: CliIo): Promise<void> {
  if (!args.collection) throw new UsageError('--collection ID is required')
  await withStore(args.db, async (store) => {
    const collection = await store.getCollection(args.collection!)
    const delta = await store.getLatestDelta(collection.id)
    if (args.json) {
      printJson(io, { delta })
      return
    }
    if (!delta) {
      io.stdout.write(`${collection.name}: no delta yet (import first)\n`)
      return
    }
    const { counts } = delta
    io.stdout.write(
      `${collection.name} (${collection.folderPath}) at ${delta.computedAt}${delta.baseline ? ', first import' : ''}: ` +
        `+${formatCount(counts.new)} new, ~${formatCount(counts.modified)} modified, -${formatCount(counts.deleted)} deleted, ${formatCount(counts.unchanged)} unchanged\n`,
    )
    for (const file of delta.new) io.stdout.write(`  + ${file.key}\t${formatBytes(file.size)}\n`)
    for (const change of delta.modified) io.stdout.write(`  ~ ${change.key}\t${formatBytes(change.before.size)} -> ${formatBytes(change.after.size)}\n`)
    for (const file of delta.deleted) io.stdout.write(`  - ${file.key}\n`)
    if (delta.truncated) io.stdout.write('  (lists truncated; counts are exact)\n')
  })
}
