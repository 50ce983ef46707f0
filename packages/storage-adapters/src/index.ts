export * from './sqlite.js'
export * from './postgres.js'
