/**
 * `npm run server` (root script): the HTTP API. Subcommands manage what only an operator may do:
 *   npm run server -- [--demo]                  serve on HOST:PORT
 *   npm run server -- tokens create --name NAME print a new user token
 *   npm run server -- tokens list               list user tokens (never their secrets)
 *   npm run server -- tokens revoke ID|NAME     revoke one token, or every token of a user
 *   npm run server -- reencrypt                 move every credential to the current encryption key
 */
import type { Server } from 'node:http'
import { parseArgs } from 'node:util'
import { createApp } from './app.js'
import { ConfigError, loadConfig, type ServerConfig } from './config.js'
import { createLogger } from './logger.js'
import { openStores, type Stores } from './open-stores.js'

const USAGE = `usage: npm run server -- [--demo]
       npm run server -- tokens create --name NAME | tokens list | tokens revoke ID|NAME
       npm run server -- reencrypt`

class UsageError extends Error {}

function describeDatabase(config: ServerConfig): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.filename}`
  const url = new URL(config.database.url)
  url.password = url.password ? '***' : ''
  return `Postgres ${url.toString()} (schema ${config.database.schema})`
}

async function serve(config: ServerConfig, stores: Stores): Promise<void> {
  const logger = createLogger({ level: config.logLevel, logObjectKeys: config.logObjectKeys })
  if (config.encryption.generated) {
    console.log('--demo: SHUTTERSENSE_ENCRYPTION_KEY is not set, so a throwaway key was generated; credentials stored now cannot be read after a restart.')
  }
  if (config.adminToken === null && (await stores.serverStore.listUserTokens()).length === 0) {
    const { token } = await stores.serverStore.createUserToken('admin')
    console.log(`First start: created the user token of "admin". It is shown only this once, keep it:\n\n  ${token}\n`)
  }
  if (config.agentRegistrationToken === null) {
    console.log('Agent registration is off (set SHUTTERSENSE_AGENT_REGISTRATION_TOKEN to let agents register).')
  }
  const app = createApp({ store: stores.store, serverStore: stores.serverStore, config, logger })
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s))
    s.once('error', reject)
  })
  // Long-polling agents keep requests open; headers must still arrive promptly.
  server.headersTimeout = 30_000
  server.requestTimeout = 10 * 60_000
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  console.log(`ShutterSense inventory server on http://${host}:${port} (${describeDatabase(config)}); API docs at http://${host}:${port}/api/docs`)
  logger.info({ host: config.host, port }, 'listening')

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'stopping')
    server.close(() => {
      void stores.close().finally(() => process.exit(0))
    })
    server.closeIdleConnections()
    // Long polls end within their timeout; do not wait longer than that.
    setTimeout(() => process.exit(0), 25_000).unref()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

async function tokens(args: string[], stores: Stores): Promise<void> {
  const [action, ...rest] = args
  if (action === 'create') {
    const { values } = parseArgs({ args: rest, options: { name: { type: 'string' } }, strict: true })
    if (!values.name) throw new UsageError('tokens create needs --name NAME (the user the token acts as)')
    const { token, user } = await stores.serverStore.createUserToken(values.name)
    console.log(`Created token ${user.id} for "${user.name}". It is shown only this once:\n\n  ${token}\n`)
  } else if (action === 'list') {
    const list = await stores.serverStore.listUserTokens()
    if (list.length === 0) console.log('No user tokens.')
    for (const t of list) {
      console.log(`${t.id}  ${t.name.padEnd(20)}  created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`)
    }
  } else if (action === 'revoke') {
    const target = rest[0]
    if (!target || rest.length > 1) throw new UsageError('tokens revoke needs one token id (tok_…) or user name')
    const count = await stores.serverStore.revokeUserToken(target)
    if (count === 0) throw new UsageError(`no active token ${JSON.stringify(target)}`)
    console.log(`Revoked ${count} token${count === 1 ? '' : 's'}.`)
  } else {
    throw new UsageError(USAGE)
  }
}

async function main(argv: string[]): Promise<number> {
  const demo = argv.includes('--demo')
  const args = argv.filter((arg) => arg !== '--demo')
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE)
    return 0
  }
  const config = loadConfig(process.env, { demo })
  const stores = await openStores(config.database, config.encryption)
  const command = args[0]
  if (command === undefined) {
    await serve(config, stores)
    return -1 // keeps running
  }
  try {
    if (command === 'tokens') await tokens(args.slice(1), stores)
    else if (command === 'reencrypt') {
      const { reencrypted, total } = await stores.serverStore.reencryptCredentials()
      console.log(`Re-encrypted ${reencrypted} of ${total} stored credentials with the key of SHUTTERSENSE_ENCRYPTION_KEY.`)
    } else throw new UsageError(`unknown command ${JSON.stringify(command)}\n${USAGE}`)
    return 0
  } finally {
    await stores.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof UsageError) {
      console.error(`shuttersense server: ${error.message}`)
      process.exitCode = 2
    } else {
      console.error(`shuttersense server: ${error instanceof Error ? error.message : String(error)}`)
      process.exitCode = 1
    }
  },
)
