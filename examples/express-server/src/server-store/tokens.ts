import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Bearer tokens are `<kind>_<id>_<secret>`: the id finds the row, the secret is checked against its
 * stored SHA-256 in constant time. Secrets are 256 random bits, so a fast hash is enough (no password
 * stretching needed) and the database never holds a usable token.
 */
export type TokenKind = 'ssu' | 'ssa'

export interface ParsedToken {
  kind: TokenKind
  id: string
  secret: string
}

const TOKEN = /^(ssu|ssa)_([0-9a-f]{16,32})_([0-9a-f]{64})$/

export function newToken(kind: TokenKind, idHex: string): { token: string; secretHash: string } {
  const secret = randomBytes(32).toString('hex')
  return { token: `${kind}_${idHex}_${secret}`, secretHash: hashSecret(secret) }
}

export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN.exec(token)
  return match ? { kind: match[1] as TokenKind, id: match[2]!, secret: match[3]! } : null
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex')
}

/** Compares a presented secret with a stored hash without leaking, through timing, how much matched. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex')
  const stored = Buffer.from(storedHash, 'hex')
  return stored.length === presented.length && timingSafeEqual(presented, stored)
}

/** Constant-time comparison of two strings of any length (for tokens given in the environment). */
export function stringsMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b)
}
