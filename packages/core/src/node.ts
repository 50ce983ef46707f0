// Node.js building blocks of an import, for those who assemble one with `runInventoryImport` (the root
// entry's `importInventory` uses them with its defaults): a source on a local directory, scratch space in
// files, the worker-thread parser, and a heap limit for long imports. Public API under semver.
export { createLocalDirectorySource, type LocalDirectorySourceOptions, type LocalFs } from './node/local-directory-source.js'
export { createFileScratch, type FileScratch, type FileScratchOptions } from './node/file-scratch.js'
export { limitHeapGrowth } from './node/heap-growth.js'
export { createWorkerParser, defaultWorkerCount, type WorkerParserOptions } from './node/worker-parser.js'
