import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import express, { type Express, type RequestHandler } from 'express'
import type { Logger } from 'pino'
import type { InventoryStore } from '@shuttersense/inventory-core'
import type { ServerConfig } from './config.js'
import type { RouteContext } from './context.js'
import { errorHandler, notFoundHandler } from './errors.js'
import { createApi, type RouteSpec } from './route.js'
import { healthRoutes } from './routes/health.js'
import { agentRoutes } from './routes/agents.js'
import { collectionRoutes } from './routes/collections.js'
import { connectorRoutes } from './routes/connectors.js'
import { jobRoutes } from './routes/jobs.js'
import { openApiRoutes } from './routes/openapi.js'
import type { ServerStore } from './server-store/index.js'

export interface AppDeps {
  store: InventoryStore
  serverStore: ServerStore
  config: ServerConfig
  logger: Logger
  /** @default () => new Date() */
  now?: (() => Date) | undefined
  /** The built web UI to serve at `/`. @default `<package>/web/dist` when it exists */
  webDir?: string | null | undefined
}

/** The app, with the specs of its API routes (the OpenAPI document and its test read them). */
export type ServerApp = Express & { readonly apiRoutes: readonly RouteSpec[] }

const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/dist', import.meta.url))

/** Logs one line per request: method, route pattern (never the raw URL: it may hold object keys), status, time. */
function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint()
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      logger.info(
        { method: req.method, route: req.route?.path ?? null, status: res.statusCode, ms: Math.round(ms * 10) / 10, actor: res.locals.actorId ?? null },
        'request',
      )
    })
    next()
  }
}

const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  if (req.path.startsWith('/api/')) res.setHeader('Cache-Control', 'no-store')
  next()
}

export function createApp(deps: AppDeps): ServerApp {
  const now = deps.now ?? (() => new Date())
  const app = express()
  app.disable('x-powered-by')
  app.set('query parser', 'simple')
  app.use(securityHeaders)
  app.use(requestLog(deps.logger))

  const api = createApi({
    auth: { serverStore: deps.serverStore, config: deps.config, now },
    jsonBodyLimitBytes: deps.config.jsonBodyLimitBytes,
  })
  const ctx: RouteContext = { api, store: deps.store, serverStore: deps.serverStore, config: deps.config, logger: deps.logger, now }
  // One line per route module; the OpenAPI module goes last (it documents those before it).
  healthRoutes(ctx)
  connectorRoutes(ctx)
  collectionRoutes(ctx)
  jobRoutes(ctx)
  agentRoutes(ctx)
  openApiRoutes(ctx)
  app.use(api.router)

  const webDir = deps.webDir === undefined ? DEFAULT_WEB_DIR : deps.webDir
  if (webDir !== null && existsSync(webDir)) {
    app.use(express.static(webDir, { index: 'index.html' }))
    // Client-side routes of the single-page app; a missing asset stays a 404 (a stale tab must not get
    // the page where it asked for a script).
    app.get(/^\/(?!api(?:\/|$)|healthz$|assets\/).*/, (_req, res) => res.sendFile('index.html', { root: webDir }))
  }

  app.use(notFoundHandler)
  app.use(errorHandler(deps.logger))
  return Object.assign(app, { apiRoutes: api.routes })
}
