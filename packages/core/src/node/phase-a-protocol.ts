import type { DirectFolderFigures } from '../folders.js'
import type { InventoryManifest, ManifestDataFile } from '../manifest/manifest-schema.js'
import type { CsvEngine } from '../parse/csv-records.js'
import type { RowCounts } from '../types.js'

/** Messages from the main thread to a phase A worker, one data file at a time. */
export type ToPhaseAWorker =
  | {
      type: 'start'
      fileKey: string
      fileSchema: string
      collectionFolders: readonly string[]
      bucketCount: number
      csvEngine: CsvEngine | undefined
      /** Write the spill into files of a directory made inside this one, instead of sending `spill` messages. */
      spillDirectory: string | undefined
      /** The manifest (without its file list) and the data file, for the format's reader. */
      manifest: InventoryManifest
      file: ManifestDataFile
      /** Formats read with random access: the staged, checked local copy to read; no `chunk` follows. */
      stagedPath: string | undefined
      /** The MD5 the `chunk`s must have, checked here; absent when the main thread checks them. */
      md5: string | undefined
    }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  /** A `spill` message was written to scratch (flow control the other way). */
  | { type: 'spilled' }

/** Messages from a phase A worker to the main thread. */
export type FromPhaseAWorker =
  /** A compressed chunk was taken in: the main thread may send another (flow control). */
  | { type: 'ack' }
  | { type: 'spill'; parts: [bucket: number, lines: Uint8Array][] }
  /** Part of the rollup, sent as it grows so the worker's memory stays bounded. */
  | { type: 'rollup'; part: DirectFolderFigures }
  /** The file is parsed; `spillFiles` lists the spill files written (with `spillDirectory`). */
  | { type: 'done'; counts: RowCounts; spillFiles: [bucket: number, path: string][] }
  | { type: 'error'; code: string; message: string; file: string | undefined; byteOffset: number | undefined }
