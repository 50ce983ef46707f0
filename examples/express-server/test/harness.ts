import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import pino from 'pino'
import type { InventoryStore } from '@shuttersense/inventory-core'
import { createApp, type ServerApp } from '../src/app.js'
import { loadConfig, type ServerConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { openStores } from '../src/open-stores.js'
import type { ServerStore } from '../src/server-store/index.js'
import { DATABASE_URL, dropSchema, newSchema } from './postgres.js'

export type Backend = 'sqlite' | 'postgres'

export interface TestServer {
  app: ServerApp
  store: InventoryStore
  serverStore: ServerStore
  config: ServerConfig
  /** `Authorization` header value of a user named `alice`. */
  user: string
  /** `Authorization` header value of a second user, `bob`. */
  otherUser: string
  /** `Authorization` header value of a registered agent. */
  agent: string
  agentId: string
  /** What the server logged, one parsed JSON object per line. */
  logs: Record<string, unknown>[]
  close(): Promise<void>
}

export const REGISTRATION_TOKEN = 'registration-token-for-tests'
export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789'

/** A server app on a fresh SQLite file (or Postgres schema) with a user and an agent. */
export async function createTestServer(
  options: { backend?: Backend; env?: NodeJS.ProcessEnv; filename?: string; now?: () => Date; webDir?: string | null } = {},
): Promise<TestServer> {
  const backend = options.backend ?? 'sqlite'
  const schema = newSchema()
  const config = loadConfig({
    SHUTTERSENSE_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTTERSENSE_AGENT_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
    SHUTTERSENSE_ADMIN_TOKEN: ADMIN_TOKEN,
    ...(backend === 'postgres' ? { DATABASE_URL, SHUTTERSENSE_DATABASE_SCHEMA: schema } : {}),
    ...options.env,
  })
  if (config.database.kind === 'sqlite') config.database.filename = options.filename ?? ':memory:'
  const stores = await openStores(config.database, config.encryption)
  const logs: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>)
      callback()
    },
  })
  const logger = createLogger({ level: 'info', logObjectKeys: config.logObjectKeys, destination })
  const app = createApp({ store: stores.store, serverStore: stores.serverStore, config, logger, now: options.now, webDir: options.webDir ?? null })
  const alice = await stores.serverStore.createUserToken('alice')
  const bob = await stores.serverStore.createUserToken('bob')
  const agent = await stores.serverStore.registerAgent('test-agent')
  return {
    app,
    store: stores.store,
    serverStore: stores.serverStore,
    config,
    user: `Bearer ${alice.token}`,
    otherUser: `Bearer ${bob.token}`,
    agent: `Bearer ${agent.token}`,
    agentId: agent.agent.id,
    logs,
    async close() {
      await stores.close()
      if (backend === 'postgres') await dropSchema(schema)
    },
  }
}

/** A logger that drops everything. */
export const silentLogger = pino({ level: 'silent' })
