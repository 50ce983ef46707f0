import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/**
 * Encrypts secrets at rest with AES-256-GCM: a random 96-bit nonce per value, and the id of the key on
 * each value, so older keys can still decrypt while `reencrypt` moves values to the current one.
 * A value is `v1.<keyId>.<nonce>.<tag>.<ciphertext>` (base64url parts). `context` (e.g. the connector
 * id) is bound as additional authenticated data: a value copied to another row does not decrypt.
 */
export interface SecretCipher {
  /** Id of the current key (16 hex digits derived from it; says nothing about the key). */
  readonly keyId: string
  encrypt(plaintext: string, context: string): string
  /** @throws SecretDecryptError when the key is unknown or the value was altered */
  decrypt(value: string, context: string): string
  /** The key id a value was encrypted with. */
  keyIdOf(value: string): string
}

export class SecretDecryptError extends Error {
  override readonly name = 'SecretDecryptError'
}

const VERSION = 'v1'

/** Key id: a hash of the key under a fixed label (not the key's own hash, which others may compute). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('shuttersense-inventory-key-id\0').update(key).digest('hex').slice(0, 16)
}

export function createSecretCipher(key: Buffer, previousKeys: readonly Buffer[] = []): SecretCipher {
  if (key.length !== 32) throw new Error('the encryption key must be 32 bytes')
  const keys = new Map<string, Buffer>()
  for (const k of [...previousKeys, key]) {
    if (k.length !== 32) throw new Error('every encryption key must be 32 bytes')
    keys.set(keyIdOf(k), k)
  }
  const currentId = keyIdOf(key)

  const split = (value: string): string[] => {
    const parts = value.split('.')
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretDecryptError('not an encrypted value of this server')
    return parts
  }

  return {
    keyId: currentId,
    encrypt(plaintext, context) {
      const nonce = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', key, nonce)
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return [VERSION, currentId, nonce.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.')
    },
    decrypt(value, context) {
      const [, id, nonce, tag, ciphertext] = split(value) as [string, string, string, string, string]
      const k = keys.get(id)
      if (!k) {
        throw new SecretDecryptError(
          `the value was encrypted with key ${id}, which is neither SHUTTERSENSE_ENCRYPTION_KEY nor one of SHUTTERSENSE_PREVIOUS_ENCRYPTION_KEYS`,
        )
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(nonce, 'base64url'))
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
      } catch {
        throw new SecretDecryptError(`the value does not decrypt with key ${id} (altered, or stored for another record)`)
      }
    },
    keyIdOf(value) {
      return split(value)[1]!
    },
  }
}
