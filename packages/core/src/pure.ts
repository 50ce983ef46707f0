// The public functions that need no Node.js built-ins (no crypto, zlib, stream, fs): they run in
// browsers, edge runtimes and workers (test/entries.test.ts bundles this entry for a runtime without
// Node.js). Values only: their types are in `/types`, which has no runtime code at all. The root entry
// re-exports the ones an embedder uses most. Every name here is public API under semver, with a doc
// comment (test/entries.test.ts checks both).

// Errors: one class, a stable code per failure.
export { coerceError, InventoryError, isInventoryError } from './errors.js'

// Records, locations and manifests.
export { countBadRows } from './types.js'
export { parseManifest } from './manifest/parse-manifest.js'
export { configuredLocation, inventoryPrefix } from './location.js'

// Names, schedules, deltas and folders: functions that stand alone.
export { suggestCollectionName, suggestUniqueCollectionNames } from './names.js'
export { inferInventoryIntervalMs, nextRunAt } from './schedule.js'
export { computeDelta, isModified } from './delta.js'
export { compareKeys, directFolderOf, foldersDownTo } from './folders.js'

// A collection's files: cached FileInfo first, a live listing only when asked ("Refresh from S3").
export { getCollectionFiles, refreshCollectionFileInfo } from './collection-files.js'

// The cost figure shown after an import: requests made against a ListObjectsV2 crawl.
export { listRequestsSaved } from './cost.js'
