import { randomBytes } from 'node:crypto'
import path from 'node:path'

/** Where the server keeps its data. */
export type DatabaseConfig =
  | { kind: 'sqlite'; filename: string }
  | { kind: 'postgres'; url: string; schema: string }

/** Everything the server reads from its environment, parsed and checked once at start. */
export interface ServerConfig {
  host: string
  port: number
  dataDir: string
  database: DatabaseConfig
  /** The key that encrypts credentials, and older keys that still decrypt them. */
  encryption: { key: Buffer; previousKeys: Buffer[]; generated: boolean }
  /** A user token accepted as the user `admin` (SHUTTERSENSE_ADMIN_TOKEN), or null. */
  adminToken: string | null
  /** The token agents exchange for an agent token; null disables registration. */
  agentRegistrationToken: string | null
  /** Largest JSON request body, in bytes. */
  jsonBodyLimitBytes: number
  /** Object keys and folder paths appear in logs only when true (SHUTTERSENSE_LOG_OBJECT_KEYS=1). */
  logObjectKeys: boolean
  logLevel: string
  demo: boolean
}

/** A configuration the server cannot start with; the message says what to set. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export interface LoadConfigOptions {
  /** `--demo`: an encryption key is generated when none is set. */
  demo?: boolean | undefined
  /** Base of a relative SHUTTERSENSE_DATA_DIR. @default process.cwd() */
  cwd?: string | undefined
}

/** Reads the server's configuration from `env`. @throws ConfigError */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): ServerConfig {
  const demo = options.demo ?? false
  const host = nonEmpty(env.HOST) ?? '127.0.0.1'
  const port = parsePort(env.PORT)
  const dataDir = path.resolve(options.cwd ?? process.cwd(), nonEmpty(env.SHUTTERSENSE_DATA_DIR) ?? '.shuttersense')
  const databaseUrl = nonEmpty(env.DATABASE_URL)
  let database: DatabaseConfig
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new ConfigError('DATABASE_URL must be a postgres:// URL (leave it unset to use a SQLite file in SHUTTERSENSE_DATA_DIR)')
    }
    database = { kind: 'postgres', url: databaseUrl, schema: nonEmpty(env.SHUTTERSENSE_DATABASE_SCHEMA) ?? 'public' }
  } else {
    database = { kind: 'sqlite', filename: path.join(dataDir, 'shuttersense.sqlite') }
  }

  const keyText = nonEmpty(env.SHUTTERSENSE_ENCRYPTION_KEY)
  let key: Buffer
  let generated = false
  if (keyText) {
    key = parseEncryptionKey(keyText, 'SHUTTERSENSE_ENCRYPTION_KEY')
  } else if (demo) {
    key = randomBytes(32)
    generated = true
  } else {
    throw new ConfigError(
      'SHUTTERSENSE_ENCRYPTION_KEY is not set. It encrypts connector credentials at rest and must be 32 bytes, base64 or hex; ' +
        "create one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\" (or start with --demo to use a throwaway key)",
    )
  }
  const previousKeys = (nonEmpty(env.SHUTTERSENSE_PREVIOUS_ENCRYPTION_KEYS) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part, i) => parseEncryptionKey(part, `SHUTTERSENSE_PREVIOUS_ENCRYPTION_KEYS[${i}]`))

  const adminToken = nonEmpty(env.SHUTTERSENSE_ADMIN_TOKEN) ?? null
  if (adminToken !== null && adminToken.length < 16) throw new ConfigError('SHUTTERSENSE_ADMIN_TOKEN must be at least 16 characters')
  const agentRegistrationToken = nonEmpty(env.SHUTTERSENSE_AGENT_REGISTRATION_TOKEN) ?? null
  if (agentRegistrationToken !== null && agentRegistrationToken.length < 16) {
    throw new ConfigError('SHUTTERSENSE_AGENT_REGISTRATION_TOKEN must be at least 16 characters')
  }

  return {
    host,
    port,
    dataDir,
    database,
    encryption: { key, previousKeys, generated },
    adminToken,
    agentRegistrationToken,
    jsonBodyLimitBytes: 1024 * 1024,
    logObjectKeys: env.SHUTTERSENSE_LOG_OBJECT_KEYS === '1' || env.SHUTTERSENSE_LOG_OBJECT_KEYS === 'true',
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    demo,
  }
}

/** A 32-byte key written as 64 hex digits or as base64 (standard or URL-safe). @throws ConfigError */
export function parseEncryptionKey(text: string, name: string): Buffer {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replaceAll('-', '+').replaceAll('_', '/'), 'base64')
    if (bytes.length === 32) return bytes
    throw new ConfigError(`${name} must be 32 bytes; this base64 value decodes to ${bytes.length} bytes`)
  }
  throw new ConfigError(`${name} must be 32 bytes written as 64 hex digits or as base64`)
}

function parsePort(text: string | undefined): number {
  const value = nonEmpty(text)
  if (value === undefined) return 8080
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be an integer 0..65535, not ${JSON.stringify(value)}`)
  return port
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}
