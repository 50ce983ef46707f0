import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { expect } from 'vitest'
import { InventoryError, type InventoryErrorCode } from '../src/errors.js'
import type { ObjectSource, StreamObjectOptions } from '../src/source.js'
import { emptyRowCounts, type FileInfo, type RowCounts } from '../src/types.js'
import { md5Hex, verifyMd5 } from '../src/manifest/checksum.js'
import type { InventoryManifest, ManifestDataFile } from '../src/manifest/manifest-schema.js'
import type { DataFileReader } from '../src/pipeline/data-file-reader.js'
import { stageDataFile } from '../src/pipeline/staged-data-file.js'
import { FolderAccumulator } from '../src/folders.js'

/** The real reports AWS wrote, kept in the repository with their license (fixtures/aws-inventory/README.md). */
export const AWS_FIXTURES = path.resolve(import.meta.dirname, '../../../fixtures/aws-inventory')

/** The two current files every one of the real reports must import to. */
export const AWS_FIXTURE_FILES: readonly FileInfo[] = [
  {
    key: 'inventory-test/',
    size: 0,
    lastModified: '2024-05-06T22:37:48.000Z',
    etag: 'd41d8cd98f00b204e9800998ecf8427e',
    storageClass: 'STANDARD',
  },
  {
    key: 'inventory-test/key1',
    size: 5,
    lastModified: '2024-05-06T22:44:22.000Z',
    etag: 'd8e8fca2dc0f896fd7cb4cb0031ba249',
    storageClass: 'STANDARD',
  },
]

export function awsFixture(name: string): Buffer {
  return readFileSync(path.join(AWS_FIXTURES, name))
}

/** Yields `bytes` cut into chunks of the given sizes (the last size repeats until the end). */
export async function* chunked(
  bytes: Uint8Array,
  sizes: readonly number[] | number,
): AsyncGenerator<Uint8Array> {
  const list = typeof sizes === 'number' ? [sizes] : sizes
  let offset = 0
  let i = 0
  while (offset < bytes.length) {
    const size = Math.max(1, list[Math.min(i, list.length - 1)] ?? 1)
    // Copy so no chunk shares memory with another.
    yield Uint8Array.from(bytes.subarray(offset, offset + size))
    offset += size
    i++
  }
}

/** Yields the given chunks as they are. */
export async function* fromChunks<T>(chunks: Iterable<T>): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk
}

/** Yields `chunks`, then throws `error`. */
export async function* failingAfter<T>(chunks: Iterable<T>, error: unknown): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk
  throw error
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

export async function collectBytes(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  return Buffer.concat(await collect(chunks))
}

/** A deterministic pseudo-random generator (mulberry32), so shuffles repeat from run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

/** Random chunk sizes between 1 and `max`, enough to cover `total` bytes. */
export function randomSizes(total: number, max: number, random: () => number): number[] {
  const sizes: number[] = []
  for (let covered = 0; covered < total; ) {
    const size = 1 + Math.floor(random() * max)
    sizes.push(size)
    covered += size
  }
  return sizes
}

/** Runs `action` and returns the InventoryError it throws, failing the test for anything else. */
export async function inventoryErrorOf(action: () => unknown): Promise<InventoryError> {
  try {
    await action()
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError)
    return error as InventoryError
  }
  throw new Error('expected an InventoryError, but nothing was thrown')
}

/** Asserts that `action` throws an InventoryError with `code`, and returns it. */
export async function expectCode(action: () => unknown, code: InventoryErrorCode): Promise<InventoryError> {
  const error = await inventoryErrorOf(action)
  expect(error.code).toBe(code)
  return error
}

export function gzip(content: string | Uint8Array): Buffer {
  return gzipSync(typeof content === 'string' ? Buffer.from(content, 'utf8') : content)
}

/** One AWS-style CSV row: every field double-quoted, inner quotes doubled. */
export function csvRow(fields: readonly string[]): string {
  return fields.map((field) => `"${field.replaceAll('"', '""')}"`).join(',') + '\n'
}

/** An ObjectSource over a map of key -> bytes (one bucket; the bucket argument is recorded, not used). */
export class MemorySource implements ObjectSource {
  readonly objects = new Map<string, Uint8Array>()
  readonly calls: string[] = []

  constructor(objects: Record<string, Uint8Array | string> = {}) {
    for (const [key, value] of Object.entries(objects)) this.put(key, value)
  }

  put(key: string, value: Uint8Array | string): this {
    this.objects.set(key, typeof value === 'string' ? Buffer.from(value, 'utf8') : value)
    return this
  }

  async listFolders(bucket: string, prefix: string): Promise<string[]> {
    this.calls.push(`list ${bucket} ${prefix}`)
    const folders = new Set<string>()
    for (const key of this.objects.keys()) {
      if (!key.startsWith(prefix)) continue
      const slash = key.indexOf('/', prefix.length)
      if (slash >= 0) folders.add(key.slice(0, slash + 1))
    }
    return [...folders]
  }

  async readObject(bucket: string, key: string): Promise<Uint8Array | undefined> {
    this.calls.push(`read ${bucket} ${key}`)
    return this.objects.get(key)
  }

  async *streamObject(
    bucket: string,
    key: string,
    options: StreamObjectOptions = {},
  ): AsyncGenerator<Uint8Array> {
    this.calls.push(`stream ${bucket} ${key}`)
    const bytes = this.objects.get(key)
    if (bytes === undefined) throw new InventoryError('NOT_FOUND', `${key}: no such object`, { file: key })
    yield bytes.subarray(options.start ?? 0)
  }
}

/** What {@link readStaged} is given beyond the bytes. */
export interface ReadStagedOptions {
  reader: DataFileReader
  manifest: InventoryManifest
  /** The data file; by default the manifest's first, with the MD5 of `bytes`. */
  file?: ManifestDataFile | undefined
  rollupOnly?: boolean | undefined
}

/** Runs a random-access reader on `bytes` as phase A does: streamed in chunks, MD5 checked as it stages. */
export async function readStaged(bytes: Uint8Array, options: ReadStagedOptions): Promise<{ files: FileInfo[]; counts: RowCounts }> {
  const { manifest } = options
  const file = options.file ?? { ...manifest.files[0]!, MD5checksum: md5Hex(bytes) }
  const open = () => verifyMd5(chunked(bytes, 1000), file.MD5checksum, file.key)
  const staged = stageDataFile(open, file.key)
  const counts = emptyRowCounts()
  const files: FileInfo[] = []
  try {
    for await (const batch of options.reader({ manifest, file, open, openFile: staged.openFile, counts, rollupOnly: options.rollupOnly })) {
      files.push(...batch)
    }
  } finally {
    await staged.closeAll()
  }
  return { files, counts }
}

/** What {@link readBothWays} is given beyond the bytes. */
export interface ReadBothWaysOptions {
  reader: DataFileReader
  manifest: InventoryManifest
  file: ManifestDataFile
  /** True for a folder a collection wants (`''` is the bucket root). */
  wanted(folder: string): boolean
  rollupOnly?: boolean | undefined
}

/**
 * Reads `bytes` through the reader's records (rolled up here) or through its `rollUp` form (checking
 * that each kept record sits in the folder of its slot): the counts, the wanted folders' records, every
 * folder and the totals, to compare the two.
 */
export async function readOneWay(bytes: Uint8Array, rollUp: boolean, options: ReadBothWaysOptions) {
  const { reader, manifest, file, wanted } = options
  const open = () => verifyMd5(chunked(bytes, 1000), file.MD5checksum, file.key)
  const staged = stageDataFile(open, file.key)
  const counts = emptyRowCounts()
  const folders = new FolderAccumulator()
  const records: FileInfo[] = []
  const context = { manifest, file, open, openFile: staged.openFile, counts, rollupOnly: options.rollupOnly }
  try {
    if (rollUp) {
      const sink = { folders, wants: (slot: number) => wanted(slot < 0 ? '' : folders.folderOf(slot)) }
      for await (const batch of reader.rollUp!(context, sink)) {
        expect(batch.records).toHaveLength(batch.slots.length)
        batch.records.forEach((record, i) => expect(batch.slots[i]! < 0 ? '' : folders.folderOf(batch.slots[i]!)).toBe(record.key.slice(0, record.key.lastIndexOf('/') + 1)))
        records.push(...batch.records)
      }
    } else {
      for await (const batch of reader(context)) folders.add(batch, (record, folder) => wanted(folder) && records.push(record))
    }
  } finally {
    await staged.closeAll()
  }
  return { counts, records, folders: folders.summaries(), totals: [folders.objectCount, folders.totalSizeBytes] }
}
