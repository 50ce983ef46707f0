export * from './node/local-directory-source.js'
export * from './node/file-scratch.js'
