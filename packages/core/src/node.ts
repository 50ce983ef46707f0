export * from './node/local-directory-source.js'
export * from './node/file-scratch.js'
export * from './node/heap-growth.js'
export * from './node/worker-parser.js'
