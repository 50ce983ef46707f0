// What an embedder uses: the one-call import and the calls for more control, the seams' interfaces,
// records and results, the error class, and the functions that stand alone (names, schedules, deltas,
// folders). It needs Node.js (data files are gunzipped, MD5-checked and parsed on worker threads);
// `/pure` holds the part that does not. Every name here is public API under semver, with a doc comment
// (test/entries.test.ts checks both). Sibling packages of this repository also use `/internal`.
export * from './pure.js'

// The one-call import, and the calls it is made of for those who need control.
export {
  importInventory,
  type ImportInventoryOptions,
  type ImportInventoryResult,
  type ImportInventoryStore,
} from './node/import-inventory.js'
export { runInventoryImport, type ImportResult, type RunImportOptions } from './pipeline/run-import.js'
export { runImportJob, type ImportJobOutcome, type RunImportJobOptions } from './pipeline/run-job.js'
export type { ImportProgress, ImportProgressEvent } from './pipeline/progress.js'
export { findLatestInventory, type DiscoveredInventory } from './discover.js'

// A collection's files: cached FileInfo first, a live listing only when asked ("Refresh from S3").
export {
  getCollectionFiles,
  refreshCollectionFileInfo,
  type CollectionFiles,
  type CollectionFilesStore,
  type GetCollectionFilesOptions,
  type LiveLister,
  type RefreshCollectionOptions,
  type RefreshResult,
} from './collection-files.js'

// Stable folder ids.
export { folderGuid } from './ids.js'

// What `runInventoryImport`'s options for control take: scratch space, a parser, format readers.
export type { ScratchSpace } from './scratch.js'
export type { DataFileParser } from './pipeline/data-file-parser.js'
export type { DataFileReadContext, DataFileReader } from './pipeline/data-file-reader.js'
export type { LocalRandomAccessFile, RandomAccessFile } from './io/random-access-file.js'
export type { CsvEngine } from './parse/csv-records.js'
