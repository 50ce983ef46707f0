import { afterAll, describe } from 'vitest'
import { postgresDb, sqliteDb, type SqlDb } from '../src/server-store/index.js'
import { DATABASE_URL, dropSchema, newSchema, postgresUnavailable } from './postgres.js'
import { describeServerStoreConformance } from './server-store-conformance.js'

describeServerStoreConformance('sqlite', { createDb: async () => sqliteDb({ filename: ':memory:' }) })

const unavailable = await postgresUnavailable()
describe.skipIf(unavailable !== null)('postgres', () => {
  const schemas: string[] = []
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema)
  })
  describeServerStoreConformance('postgres', {
    async createDb(): Promise<SqlDb> {
      const schema = newSchema()
      schemas.push(schema)
      return postgresDb({ connectionString: DATABASE_URL, schema, poolSize: 2 })
    },
  })
})
