// The entry that needs no Node.js built-ins (no crypto, zlib, stream, fs): it runs in browsers, edge
// runtimes and workers. It holds the functions that stand alone (names, schedules, deltas, folders,
// locations, manifest parsing, request costs), the seams' and records' types, and the error class.
// Reading and checking data files (gzip, MD5) needs Node: the root entry and `/node`.
export * from './errors.js'
export * from './types.js'
export * from './location.js'
export * from './manifest/manifest-schema.js'
export * from './manifest/parse-manifest.js'
export * from './folders.js'
export * from './delta.js'
export * from './names.js'
export * from './schedule.js'
export * from './cost.js'
export * from './source.js'
export * from './store.js'
