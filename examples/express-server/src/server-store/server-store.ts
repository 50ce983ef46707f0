import { randomBytes } from 'node:crypto'
import { InventoryError } from '@shuttersense/inventory-core'
import type { SecretCipher } from '../crypto.js'
import { applyMigrations, countOf, join, raw, rowsOf, sql, type Migration, type SqlFragment, type SqlRunner } from '@shuttersense/inventory-storage'
import { newToken, parseToken, secretMatches, type TokenKind } from './tokens.js'

/** A person's bearer token (users are known by the names their tokens carry). */
export interface UserToken {
  /** `tok_…` */
  id: string
  /** The user the token acts as; the audit log records it. */
  name: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

/** A registered agent. */
export interface Agent {
  /** `agt_…` */
  id: string
  name: string
  createdAt: string
  lastSeenAt: string | null
  revokedAt: string | null
}

/** S3 credentials of a connector, as given by the user (stored encrypted, sent only to the agent holding its job). */
export interface ConnectorCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string | undefined
  region?: string | undefined
  endpoint?: string | undefined
  forcePathStyle?: boolean | undefined
}

/** What the server keeps beside the inventory store: users' tokens, agents and encrypted credentials. */
export interface ServerStore {
  migrate(): Promise<void>
  close(): Promise<void>
  /** A new user token; the token text is returned once and only its hash is stored. */
  createUserToken(name: string, options?: { now?: Date }): Promise<{ token: string; user: UserToken }>
  listUserTokens(): Promise<UserToken[]>
  /** Revokes a token by id (`tok_…`), or every active token of a user name. Resolves to the number revoked. */
  revokeUserToken(idOrName: string, options?: { now?: Date }): Promise<number>
  /** The token's user, or null for an unknown, malformed or revoked token. */
  authenticateUser(token: string, options?: { now?: Date }): Promise<UserToken | null>
  registerAgent(name: string, options?: { now?: Date }): Promise<{ agent: Agent; token: string }>
  /** The token's agent, or null for an unknown, malformed or revoked token. */
  authenticateAgent(token: string, options?: { now?: Date }): Promise<Agent | null>
  listAgents(): Promise<Agent[]>
  /** @throws InventoryError `NOT_FOUND` */
  getAgent(id: string): Promise<Agent>
  /** Stores (or with `null` removes) a connector's credentials, encrypted with the current key. */
  setConnectorCredentials(connectorId: string, credentials: ConnectorCredentials | null, options?: { now?: Date }): Promise<void>
  /** Decrypted credentials, or null when the connector has none. */
  getConnectorCredentials(connectorId: string): Promise<ConnectorCredentials | null>
  /** Which of the connectors have credentials stored (all connectors when `ids` is omitted). */
  connectorsWithCredentials(ids?: readonly string[]): Promise<Set<string>>
  /** Forgets a deleted connector's credentials. */
  deleteConnectorData(connectorId: string): Promise<void>
  /** Moves every stored value to the current key. Resolves to how many values were rewritten and how many there are. */
  reencryptCredentials(options?: { now?: Date }): Promise<{ reencrypted: number; total: number }>
}

/** Names users cannot take: the audit log uses them for the schedule and for agents. */
const RESERVED_NAMES = /^(system|agt_.*)$/i

export const SERVER_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    sql: `
CREATE TABLE server_user_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE TABLE server_agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT,
  revoked_at TEXT
);
CREATE TABLE server_connector_credentials (
  connector_id TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
  },
  {
    id: 2,
    sql: `
CREATE TABLE server_connector_settings (
  connector_id TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  delta_list_limit INTEGER NOT NULL,
  configured_at TEXT
);
`,
  },
  {
    id: 3,
    sql: `
-- The inventory store holds the format, the delta list size and a location that is NULL until configured
-- (its migration 4): move the server's settings there and drop the placeholder location.
UPDATE connectors SET
  format = (SELECT s.format FROM server_connector_settings s WHERE s.connector_id = connectors.id),
  delta_list_limit = (SELECT s.delta_list_limit FROM server_connector_settings s WHERE s.connector_id = connectors.id)
WHERE id IN (SELECT connector_id FROM server_connector_settings);
UPDATE connectors SET destination_bucket = NULL, destination_prefix = NULL, source_bucket = NULL, config_name = NULL
WHERE id NOT IN (SELECT connector_id FROM server_connector_settings WHERE configured_at IS NOT NULL);
DROP TABLE server_connector_settings;
`,
  },
]

interface UserTokenRow {
  id: string
  name: string
  secret_hash: string
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

interface AgentRow {
  id: string
  name: string
  secret_hash: string
  created_at: string
  last_seen_at: string | null
  revoked_at: string | null
}

const userFromRow = (row: UserTokenRow): UserToken => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
})

const agentFromRow = (row: AgentRow): Agent => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  revokedAt: row.revoked_at,
})

/** Where each kind of token lives. */
const TOKEN_TABLES: Record<TokenKind, { name: string; idPrefix: string; idLength: number; usedAt: string }> = {
  ssu: { name: 'server_user_tokens', idPrefix: 'tok_', idLength: 16, usedAt: 'last_used_at' },
  ssa: { name: 'server_agents', idPrefix: 'agt_', idLength: 32, usedAt: 'last_seen_at' },
}

/** `last_used_at` / `last_seen_at` are written at most this often per token (not on every request). */
const TOUCH_INTERVAL_MS = 60_000

function checkName(name: string, what: string): string {
  const trimmed = name.trim()
  if (trimmed.length === 0 || trimmed.length > 100) throw new InventoryError('INVALID_ARGUMENT', `${what} name must be 1..100 characters`)
  if (RESERVED_NAMES.test(trimmed)) throw new InventoryError('INVALID_ARGUMENT', `${what} name ${JSON.stringify(trimmed)} is reserved`)
  return trimmed
}

/** Where the server store's tables live: a runner of the storage package's SQL layer, on the inventory store's database. */
export type ServerStoreDb = SqlRunner & { close?(): Promise<void> }

/** The server store over SQLite or Postgres, in the storage package's SQL layer (one statement text for both). */
export function createServerStore(db: ServerStoreDb, cipher: SecretCipher): ServerStore {
  const all = <Row>(statement: SqlFragment): Promise<Row[]> => db.autocommit(() => rowsOf<Row>(statement))
  /** Runs a statement; resolves to the number of rows it changed. */
  const run = (statement: SqlFragment): Promise<number> => db.autocommit(() => countOf(statement))

  const iso = (now: Date | undefined): string => (now ?? new Date()).toISOString()
  const touchBefore = (now: Date | undefined): string => new Date((now ?? new Date()).getTime() - TOUCH_INTERVAL_MS).toISOString()

  /** The live row a token belongs to (its last use noted), or null. */
  async function rowOfToken<Row extends { id: string; secret_hash: string; revoked_at: string | null }>(
    kind: TokenKind,
    token: string,
    now: Date | undefined,
  ): Promise<Row | null> {
    const parsed = parseToken(token)
    const table = TOKEN_TABLES[kind]
    if (!parsed || parsed.kind !== kind || parsed.id.length !== table.idLength) return null
    const [row] = await all<Row>(sql`SELECT * FROM ${raw(table.name)} WHERE id = ${`${table.idPrefix}${parsed.id}`}`)
    if (!row || row.revoked_at !== null || !secretMatches(parsed.secret, row.secret_hash)) return null
    const usedAt = raw(table.usedAt)
    await run(sql`UPDATE ${raw(table.name)} SET ${usedAt} = ${iso(now)} WHERE id = ${row.id} AND (${usedAt} IS NULL OR ${usedAt} < ${touchBefore(now)})`)
    return row
  }

  return {
    migrate: () => applyMigrations(db, SERVER_MIGRATIONS, 'server_schema_migrations'),
    close: async () => {
      await db.close?.()
    },

    async createUserToken(name, options = {}) {
      const userName = checkName(name, 'user')
      const idHex = randomBytes(8).toString('hex')
      const { token, secretHash } = newToken('ssu', idHex)
      const row: UserTokenRow = { id: `tok_${idHex}`, name: userName, secret_hash: secretHash, created_at: iso(options.now), last_used_at: null, revoked_at: null }
      await run(sql`INSERT INTO server_user_tokens (id, name, secret_hash, created_at) VALUES (${row.id}, ${row.name}, ${row.secret_hash}, ${row.created_at})`)
      return { token, user: userFromRow(row) }
    },

    async listUserTokens() {
      return (await all<UserTokenRow>(sql`SELECT * FROM server_user_tokens ORDER BY created_at, id`)).map(userFromRow)
    },

    async revokeUserToken(idOrName, options = {}) {
      const at = iso(options.now)
      if (/^tok_[0-9a-f]{16}$/.test(idOrName)) {
        return run(sql`UPDATE server_user_tokens SET revoked_at = ${at} WHERE id = ${idOrName} AND revoked_at IS NULL`)
      }
      return run(sql`UPDATE server_user_tokens SET revoked_at = ${at} WHERE name = ${idOrName} AND revoked_at IS NULL`)
    },

    async authenticateUser(token, options = {}) {
      const row = await rowOfToken<UserTokenRow>('ssu', token, options.now)
      return row ? userFromRow(row) : null
    },

    async registerAgent(name, options = {}) {
      const agentName = checkName(name, 'agent')
      const idHex = randomBytes(16).toString('hex')
      const { token, secretHash } = newToken('ssa', idHex)
      const row: AgentRow = { id: `agt_${idHex}`, name: agentName, secret_hash: secretHash, created_at: iso(options.now), last_seen_at: null, revoked_at: null }
      await run(sql`INSERT INTO server_agents (id, name, secret_hash, created_at) VALUES (${row.id}, ${row.name}, ${row.secret_hash}, ${row.created_at})`)
      return { agent: agentFromRow(row), token }
    },

    async authenticateAgent(token, options = {}) {
      const row = await rowOfToken<AgentRow>('ssa', token, options.now)
      return row ? agentFromRow(row) : null
    },

    async listAgents() {
      return (await all<AgentRow>(sql`SELECT * FROM server_agents ORDER BY created_at, id`)).map(agentFromRow)
    },

    async getAgent(id) {
      const [row] = await all<AgentRow>(sql`SELECT * FROM server_agents WHERE id = ${id}`)
      if (!row) throw new InventoryError('NOT_FOUND', `agent ${id} does not exist`)
      return agentFromRow(row)
    },

    async setConnectorCredentials(connectorId, credentials, options = {}) {
      if (credentials === null) {
        await run(sql`DELETE FROM server_connector_credentials WHERE connector_id = ${connectorId}`)
        return
      }
      const value = cipher.encrypt(JSON.stringify(credentials), connectorId)
      await run(sql`INSERT INTO server_connector_credentials (connector_id, key_id, value, updated_at)
        VALUES (${connectorId}, ${cipher.keyId}, ${value}, ${iso(options.now)})
        ON CONFLICT (connector_id) DO UPDATE SET key_id = excluded.key_id, value = excluded.value, updated_at = excluded.updated_at`)
    },

    async getConnectorCredentials(connectorId) {
      const [row] = await all<{ value: string }>(sql`SELECT value FROM server_connector_credentials WHERE connector_id = ${connectorId}`)
      if (!row) return null
      return JSON.parse(cipher.decrypt(row.value, connectorId)) as ConnectorCredentials
    },

    async connectorsWithCredentials(ids) {
      if (ids !== undefined && ids.length === 0) return new Set()
      const rows =
        ids === undefined
          ? await all<{ connector_id: string }>(sql`SELECT connector_id FROM server_connector_credentials`)
          : await all<{ connector_id: string }>(
              sql`SELECT connector_id FROM server_connector_credentials WHERE connector_id IN (${join(ids.map((id) => sql`${id}`), ', ')})`,
            )
      return new Set(rows.map((row) => row.connector_id))
    },


    async deleteConnectorData(connectorId) {
      await run(sql`DELETE FROM server_connector_credentials WHERE connector_id = ${connectorId}`)
    },

    async reencryptCredentials(options = {}) {
      const rows = await all<{ connector_id: string; key_id: string; value: string }>(sql`SELECT connector_id, key_id, value FROM server_connector_credentials`)
      let reencrypted = 0
      for (const row of rows) {
        if (row.key_id === cipher.keyId && cipher.keyIdOf(row.value) === cipher.keyId) continue
        const value = cipher.encrypt(cipher.decrypt(row.value, row.connector_id), row.connector_id)
        // Only if nobody rewrote the value meanwhile (a user setting new credentials wins).
        reencrypted += await run(sql`UPDATE server_connector_credentials SET key_id = ${cipher.keyId}, value = ${value}, updated_at = ${iso(options.now)}
          WHERE connector_id = ${row.connector_id} AND value = ${row.value}`)
      }
      return { reencrypted, total: rows.length }
    },
  }
}
