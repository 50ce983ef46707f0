import { CollectionRouter } from '../collection-router.js'
import { InventoryError, isInventoryError, throwIfAborted } from '../errors.js'
import { FolderAccumulator } from '../folders.js'
import { verifyMd5 } from '../manifest/checksum.js'
import type { InventoryManifest, ManifestDataFile } from '../manifest/manifest-schema.js'
import type { CsvEngine } from '../parse/csv-records.js'
import type { ScratchSpace } from '../scratch.js'
import type { ObjectSource } from '../source.js'
import type { Collection } from '../store.js'
import { type RowCounts, addRowCounts, emptyRowCounts } from '../types.js'
import { type DataFileReader } from './data-file-reader.js'
import { encodeSpillLine } from './spill.js'

/** Inputs of phase A. */
export interface PhaseAInput {
  source: ObjectSource
  bucket: string
  manifest: InventoryManifest
  reader: DataFileReader
  collections: readonly Collection[]
  scratch: ScratchSpace
  bucketCount: number
  concurrency: number
  csvEngine?: CsvEngine | undefined
  signal?: AbortSignal | undefined
  onBytes(file: string, bytes: number): void
  onRows(file: string, rows: number): void
  onFileDone(file: string): Promise<void>
}

/** What phase A produced. */
export interface PhaseAResult {
  folders: FolderAccumulator
  rows: RowCounts
}

/** Spill name of a bucket of collections. */
export function spillName(bucket: number): string {
  return `bucket-${bucket}`
}

/**
 * Phase A: reads every data file (bounded concurrency; results do not depend on order), rolls up
 * folders and spills each collection's records to scratch for phases B/C.
 */
export async function runPhaseA(input: PhaseAInput): Promise<PhaseAResult> {
  const folders = new FolderAccumulator()
  const rows = emptyRowCounts()
  const router = new CollectionRouter(input.collections)
  const pending = [...input.manifest.files]

  const readOne = async (file: ManifestDataFile): Promise<void> => {
    const counts = emptyRowCounts()
    const open = (): AsyncIterable<Uint8Array> =>
      verifyMd5(countBytes(streamDataFile(input, file), (n) => input.onBytes(file.key, n)), file.MD5checksum, file.key)
    const spill: string[][] = Array.from({ length: input.bucketCount }, () => [])
    for await (const batch of input.reader({ manifest: input.manifest, file, open, counts, csvEngine: input.csvEngine })) {
      throwIfAborted(input.signal)
      if (router.isEmpty) {
        folders.add(batch)
      } else {
        folders.add(batch, (record, folder) => {
          for (const index of router.routeFolder(folder)) spill[index % input.bucketCount]!.push(encodeSpillLine(index, record))
        })
        spill.forEach((lines, bucket) => {
          if (lines.length === 0) return
          input.scratch.append(spillName(bucket), lines.join(''))
          lines.length = 0
        })
      }
      input.onRows(file.key, batch.length)
    }
    addRowCounts(rows, counts)
    await input.onFileDone(file.key)
  }

  const worker = async (): Promise<void> => {
    for (let file = pending.shift(); file !== undefined; file = pending.shift()) {
      throwIfAborted(input.signal)
      await readOne(file)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, pending.length)) }, worker))
  return { folders, rows }
}

async function* streamDataFile(input: PhaseAInput, file: ManifestDataFile): AsyncGenerator<Uint8Array> {
  try {
    yield* input.source.streamObject(input.bucket, file.key, { signal: input.signal })
  } catch (error) {
    if (isInventoryError(error, 'NOT_FOUND')) {
      throw new InventoryError('DATA_FILE_MISSING', `${file.key}: listed in the manifest but not found`, {
        file: file.key,
        cause: error,
      })
    }
    throw error
  }
}

async function* countBytes(chunks: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    onBytes(chunk.byteLength)
    yield chunk
  }
}
