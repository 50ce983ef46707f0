import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SERVER_SCRIPT } from '../src/demo/processes.js'
import { openStores } from '../src/open-stores.js'

// `npm run server -- …` is `node dist/main.js …` (the build runs before the tests in CI).
const dir = mkdtempSync(path.join(tmpdir(), 'ss-main-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function server(args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(process.execPath, [SERVER_SCRIPT, ...args], {
    env: { PATH: process.env.PATH, SHUTTERSENSE_DATA_DIR: dir, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

describe('npm run server -- …', () => {
  const key = randomBytes(32)
  const env = { SHUTTERSENSE_ENCRYPTION_KEY: key.toString('base64') }

  it('refuses to start without an encryption key, saying what to set', () => {
    const { code, err } = server([], {})
    expect(code).toBe(2)
    expect(err).toContain('SHUTTERSENSE_ENCRYPTION_KEY is not set')
  })

  it('tokens create | list | revoke', async () => {
    const created = server(['tokens', 'create', '--name', 'carol'], env)
    expect(created.code).toBe(0)
    const token = /(ssu_[0-9a-f]+_[0-9a-f]{64})/.exec(created.out)?.[1]
    expect(token).toBeDefined()
    expect(server(['tokens', 'create'], env).code).toBe(2)
    const listed = server(['tokens', 'list'], env)
    expect(listed.out).toContain('carol')
    expect(listed.out).not.toContain(token!.split('_')[2])
    expect(server(['tokens', 'revoke', 'carol'], env).out).toContain('Revoked 1 token')
    expect(server(['tokens', 'revoke', 'carol'], env).code).toBe(2)
    expect(server(['tokens', 'list'], env).out).toContain('REVOKED')
  })

  it('reencrypt moves credentials to the current key; the previous key still decrypts until then', async () => {
    const database = { kind: 'sqlite' as const, filename: path.join(dir, 'shuttersense.sqlite') }
    const before = await openStores(database, { key, previousKeys: [] })
    await before.serverStore.setConnectorCredentials('con_x', { accessKeyId: 'A', secretAccessKey: 'S' })
    await before.close()
    const next = randomBytes(32)
    const rotated = { SHUTTERSENSE_ENCRYPTION_KEY: next.toString('hex'), SHUTTERSENSE_PREVIOUS_ENCRYPTION_KEYS: key.toString('base64') }
    const run = server(['reencrypt'], rotated)
    expect(run.code).toBe(0)
    expect(run.out).toContain('Re-encrypted 1 of 1')
    const after = await openStores(database, { key: next, previousKeys: [] })
    try {
      expect(await after.serverStore.getConnectorCredentials('con_x')).toEqual({ accessKeyId: 'A', secretAccessKey: 'S' })
    } finally {
      await after.close()
    }
  })
})
