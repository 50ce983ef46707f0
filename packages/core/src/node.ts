// The import assembled by hand, for those who need control (the root entry's `importInventory` does all
// this with defaults): `runInventoryImport` for one import, `runImportJob` for a job of a queue,
// `findLatestInventory`, and the Node.js building blocks they take: a source on a local directory, scratch
// space in files, the worker-thread parser, a heap limit for long imports, stable folder ids. Needs
// Node.js. Their types are in `/types`. Public API under semver.
export { runInventoryImport } from './pipeline/run-import.js'
export { runImportJob } from './pipeline/run-job.js'
export { findLatestInventory } from './discover.js'
export { folderGuid } from './ids.js'
export { createLocalDirectorySource, type LocalDirectorySourceOptions, type LocalFs } from './node/local-directory-source.js'
export { createFileScratch, type FileScratch, type FileScratchOptions } from './node/file-scratch.js'
export { limitHeapGrowth } from './node/heap-growth.js'
export { createWorkerParser, defaultWorkerCount, type WorkerParserOptions } from './node/worker-parser.js'
