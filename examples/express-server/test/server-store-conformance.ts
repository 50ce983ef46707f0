import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSecretCipher } from '../src/crypto.js'
import { rowsOf, sql, type SqlFragment } from '@shuttersense/inventory-storage'
import { createServerStore, type ServerStore, type ServerStoreDb } from '../src/server-store/index.js'

export interface ServerStoreHarness {
  /** A fresh, empty database for one test. */
  createDb(): Promise<ServerStoreDb>
  /** Called with each test's db after it ends. */
  dispose?(db: ServerStoreDb): Promise<void>
}

/** What `statement` returns, run straight on the database. */
const rowsIn = (db: ServerStoreDb, statement: SqlFragment): Promise<Record<string, unknown>[]> =>
  db.autocommit(() => rowsOf<Record<string, unknown>>(statement))

/** The behaviour every server store backend must show. */
export function describeServerStoreConformance(name: string, harness: ServerStoreHarness): void {
  const key = randomBytes(32)

  async function withStore<T>(fn: (store: ServerStore, db: ServerStoreDb) => Promise<T>, cipherKey = key, previous: Buffer[] = []): Promise<T> {
    const db = await harness.createDb()
    const store = createServerStore(db, createSecretCipher(cipherKey, previous))
    await store.migrate()
    try {
      return await fn(store, db)
    } finally {
      await harness.dispose?.(db)
      await store.close()
    }
  }

  describe(`server store: ${name}`, () => {
    it('migrates twice, and concurrently, without harm', async () => {
      await withStore(async (store) => {
        await Promise.all([store.migrate(), store.migrate()])
        await store.migrate()
        expect(await store.listUserTokens()).toEqual([])
      })
    })

    it('creates user tokens that authenticate as their user, and stores only a hash', async () => {
      await withStore(async (store, db) => {
        const { token, user } = await store.createUserToken('alice')
        expect(token).toMatch(/^ssu_[0-9a-f]{16}_[0-9a-f]{64}$/)
        expect(user).toMatchObject({ name: 'alice', revokedAt: null, lastUsedAt: null })
        expect(user.id).toMatch(/^tok_[0-9a-f]{16}$/)
        expect((await store.authenticateUser(token))?.name).toBe('alice')
        const rows = await rowsIn(db, sql`SELECT * FROM server_user_tokens`)
        expect(JSON.stringify(rows)).not.toContain(token.split('_')[2])
        expect((await store.listUserTokens())[0]?.lastUsedAt).not.toBeNull()
      })
    })

    it('rejects altered, malformed, foreign and revoked tokens', async () => {
      await withStore(async (store) => {
        const { token, user } = await store.createUserToken('bob')
        const last = token.at(-1) === '0' ? '1' : '0'
        expect(await store.authenticateUser(token.slice(0, -1) + last)).toBeNull()
        expect(await store.authenticateUser('not a token')).toBeNull()
        expect(await store.authenticateUser('')).toBeNull()
        const { token: agentToken } = await store.registerAgent('a1')
        expect(await store.authenticateUser(agentToken)).toBeNull()
        expect(await store.authenticateAgent(token)).toBeNull()
        expect(await store.revokeUserToken(user.id)).toBe(1)
        expect(await store.revokeUserToken(user.id)).toBe(0)
        expect(await store.authenticateUser(token)).toBeNull()
        expect((await store.listUserTokens())[0]?.revokedAt).not.toBeNull()
      })
    })

    it('revokes every active token of a user by name', async () => {
      await withStore(async (store) => {
        const a = await store.createUserToken('carol')
        const b = await store.createUserToken('carol')
        const other = await store.createUserToken('dave')
        expect(await store.revokeUserToken('carol')).toBe(2)
        expect(await store.authenticateUser(a.token)).toBeNull()
        expect(await store.authenticateUser(b.token)).toBeNull()
        expect((await store.authenticateUser(other.token))?.name).toBe('dave')
      })
    })

    it('refuses empty and reserved user names', async () => {
      await withStore(async (store) => {
        await expect(store.createUserToken('  ')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
        await expect(store.createUserToken('system')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
        await expect(store.createUserToken('agt_x')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
      })
    })

    it('registers agents whose tokens authenticate them', async () => {
      await withStore(async (store) => {
        const { agent, token } = await store.registerAgent('worker-1')
        expect(agent.id).toMatch(/^agt_[0-9a-f]{32}$/)
        expect(token).toMatch(/^ssa_[0-9a-f]{32}_[0-9a-f]{64}$/)
        expect(await store.authenticateAgent(token)).toMatchObject({ id: agent.id, name: 'worker-1' })
        expect((await store.getAgent(agent.id)).lastSeenAt).not.toBeNull()
        expect((await store.listAgents()).map((a) => a.id)).toEqual([agent.id])
        await expect(store.getAgent('agt_nope')).rejects.toMatchObject({ code: 'NOT_FOUND' })
      })
    })

    it('stores credentials encrypted and gives them back decrypted', async () => {
      await withStore(async (store, db) => {
        const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET', region: 'eu-west-1', forcePathStyle: true }
        await store.setConnectorCredentials('con_1', credentials)
        expect(await store.getConnectorCredentials('con_1')).toEqual(credentials)
        expect(await store.getConnectorCredentials('con_2')).toBeNull()
        expect(await store.connectorsWithCredentials()).toEqual(new Set(['con_1']))
        expect(await store.connectorsWithCredentials(['con_1', 'con_2'])).toEqual(new Set(['con_1']))
        expect(await store.connectorsWithCredentials([])).toEqual(new Set())
        const rows = await rowsIn(db, sql`SELECT * FROM server_connector_credentials`)
        expect(JSON.stringify(rows)).not.toContain('SECRET')
        expect(JSON.stringify(rows)).not.toContain('AKIAEXAMPLE')
        await store.setConnectorCredentials('con_1', { accessKeyId: 'AK2', secretAccessKey: 'S2' })
        expect(await store.getConnectorCredentials('con_1')).toEqual({ accessKeyId: 'AK2', secretAccessKey: 'S2' })
        await store.setConnectorCredentials('con_1', null)
        expect(await store.getConnectorCredentials('con_1')).toBeNull()
      })
    })

    it('a value moved to another connector does not decrypt', async () => {
      await withStore(async (store, db) => {
        await store.setConnectorCredentials('con_a', { accessKeyId: 'A', secretAccessKey: 'S' })
        await rowsIn(db, sql`UPDATE server_connector_credentials SET connector_id = 'con_b' WHERE connector_id = 'con_a'`)
        await expect(store.getConnectorCredentials('con_b')).rejects.toThrow(/does not decrypt/)
      })
    })

    it('reads values of a previous key and re-encrypts them with the current one', async () => {
      const oldKey = randomBytes(32)
      const db = await harness.createDb()
      try {
        const before = createServerStore(db, createSecretCipher(oldKey))
        await before.migrate()
        await before.setConnectorCredentials('con_1', { accessKeyId: 'A1', secretAccessKey: 'S1' })
        await before.setConnectorCredentials('con_2', { accessKeyId: 'A2', secretAccessKey: 'S2' })

        // Without the old key the values are unreadable, with a clear message.
        await expect(createServerStore(db, createSecretCipher(key)).getConnectorCredentials('con_1')).rejects.toThrow(/SHUTTERSENSE_PREVIOUS_ENCRYPTION_KEYS/)

        const after = createServerStore(db, createSecretCipher(key, [oldKey]))
        expect(await after.getConnectorCredentials('con_1')).toEqual({ accessKeyId: 'A1', secretAccessKey: 'S1' })
        expect(await after.reencryptCredentials()).toEqual({ reencrypted: 2, total: 2 })
        expect(await after.reencryptCredentials()).toEqual({ reencrypted: 0, total: 2 })
        const current = createServerStore(db, createSecretCipher(key))
        expect(await current.getConnectorCredentials('con_2')).toEqual({ accessKeyId: 'A2', secretAccessKey: 'S2' })
      } finally {
        await harness.dispose?.(db)
        await db.close?.()
      }
    })
  })
}
