// What an embedder uses, and no more: the one-call import, the error class, the functions that stand
// alone (names, schedules, deltas, folders), the seams' interfaces and the records and results they carry.
// It needs Node.js (data files are gunzipped, MD5-checked and parsed on worker threads). The rest of the
// public API is in entries by who needs it (docs/embedding.md, "Entries"): `/types` every type that the
// public functions and seams name (for implementing a seam or naming a part of a result), `/pure` every
// function that needs no Node.js built-ins, `/node` the import assembled by hand (`runInventoryImport`,
// `runImportJob`) and its Node.js building blocks, `/testing` the conformance suites. Every name here is
// public API under semver, with a doc comment (test/entries.test.ts checks both).

// The one-call import.
export { importInventory, type ImportInventoryOptions, type ImportInventoryResult } from './node/import-inventory.js'
export type { ImportProgressEvent } from './pipeline/progress.js'

// Errors: one class, a stable code per failure.
export { coerceError, InventoryError, isInventoryError, type InventoryErrorCode } from './errors.js'

// Names, schedules, deltas and folders: functions that stand alone.
export { suggestCollectionName, suggestUniqueCollectionNames } from './names.js'
export { inferInventoryIntervalMs, nextRunAt } from './schedule.js'
export { computeDelta, type CollectionDelta } from './delta.js'
export { directFolderOf, foldersDownTo } from './folders.js'

// The seams: where the objects come from, and the store in parts (an embedder implements the parts it
// needs; the import part alone suffices to run an import).
export type { ObjectSource } from './source.js'
export type { AuditLogStore, CatalogStore, ImportStore, InventoryStore, JobQueueStore } from './store.js'

// Records.
export type { FileInfo, FolderSummary, InventoryLocation } from './types.js'
