import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseEncryptionKey } from '../src/config.js'
import { createSecretCipher, keyIdOf } from '../src/crypto.js'

describe('credential encryption', () => {
  const key = randomBytes(32)

  it('round-trips with a random nonce and the key id on the value', () => {
    const cipher = createSecretCipher(key)
    const a = cipher.encrypt('secret', 'con_1')
    const b = cipher.encrypt('secret', 'con_1')
    expect(a).not.toBe(b)
    expect(a.split('.')[1]).toBe(keyIdOf(key))
    expect(cipher.keyIdOf(a)).toBe(cipher.keyId)
    expect(cipher.decrypt(a, 'con_1')).toBe('secret')
    expect(a).not.toContain('secret')
  })

  it('refuses altered values, other contexts and unknown keys', () => {
    const cipher = createSecretCipher(key)
    const value = cipher.encrypt('secret', 'con_1')
    const parts = value.split('.')
    const flipped = Buffer.from(parts[4]!, 'base64url')
    flipped[0] = flipped[0]! ^ 1
    parts[4] = flipped.toString('base64url')
    expect(() => cipher.decrypt(parts.join('.'), 'con_1')).toThrow(/does not decrypt/)
    expect(() => cipher.decrypt(value, 'con_2')).toThrow(/does not decrypt/)
    expect(() => createSecretCipher(randomBytes(32)).decrypt(value, 'con_1')).toThrow(/neither SHUTTERSENSE_ENCRYPTION_KEY/)
    expect(() => cipher.decrypt('plain', 'con_1')).toThrow(/not an encrypted value/)
  })

  it('decrypts with a previous key', () => {
    const old = createSecretCipher(key)
    const value = old.encrypt('secret', 'c')
    expect(createSecretCipher(randomBytes(32), [key]).decrypt(value, 'c')).toBe('secret')
  })
})

describe('configuration', () => {
  const hexKey = randomBytes(32).toString('hex')

  it('has the documented defaults', () => {
    const config = loadConfig({ SHUTTERSENSE_ENCRYPTION_KEY: hexKey }, { cwd: '/srv' })
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/srv/.shuttersense',
      database: { kind: 'sqlite', filename: '/srv/.shuttersense/shuttersense.sqlite' },
      adminToken: null,
      agentRegistrationToken: null,
      logObjectKeys: false,
    })
    expect(config.encryption.key.toString('hex')).toBe(hexKey)
  })

  it('refuses to start without an encryption key, except in demo mode', () => {
    expect(() => loadConfig({})).toThrow(ConfigError)
    expect(() => loadConfig({})).toThrow(/SHUTTERSENSE_ENCRYPTION_KEY is not set/)
    const demo = loadConfig({}, { demo: true })
    expect(demo.encryption.generated).toBe(true)
    expect(demo.encryption.key).toHaveLength(32)
  })

  it('reads keys as hex or base64 and refuses other lengths', () => {
    const key = randomBytes(32)
    expect(parseEncryptionKey(key.toString('base64'), 'K')).toEqual(key)
    expect(parseEncryptionKey(key.toString('base64url'), 'K')).toEqual(key)
    expect(parseEncryptionKey(key.toString('hex'), 'K')).toEqual(key)
    expect(() => parseEncryptionKey(randomBytes(16).toString('base64'), 'K')).toThrow(/32 bytes; this base64 value decodes to 16/)
    expect(() => parseEncryptionKey('not a key!', 'K')).toThrow(/32 bytes/)
    const previous = [randomBytes(32), randomBytes(32)]
    const config = loadConfig({ SHUTTERSENSE_ENCRYPTION_KEY: hexKey, SHUTTERSENSE_PREVIOUS_ENCRYPTION_KEYS: previous.map((k) => k.toString('base64')).join(', ') })
    expect(config.encryption.previousKeys).toEqual(previous)
  })

  it('uses Postgres when DATABASE_URL is set, and checks it and the port', () => {
    const config = loadConfig({ SHUTTERSENSE_ENCRYPTION_KEY: hexKey, DATABASE_URL: 'postgres://u@h/db', PORT: '9000', HOST: '0.0.0.0' })
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9000, database: { kind: 'postgres', url: 'postgres://u@h/db', schema: 'public' } })
    expect(() => loadConfig({ SHUTTERSENSE_ENCRYPTION_KEY: hexKey, DATABASE_URL: 'mysql://x' })).toThrow(/postgres:\/\//)
    expect(() => loadConfig({ SHUTTERSENSE_ENCRYPTION_KEY: hexKey, PORT: 'http' })).toThrow(/PORT/)
    expect(() => loadConfig({ SHUTTERSENSE_ENCRYPTION_KEY: hexKey, SHUTTERSENSE_ADMIN_TOKEN: 'short' })).toThrow(/at least 16/)
  })
})
