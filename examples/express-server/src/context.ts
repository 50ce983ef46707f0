import type { Logger } from 'pino'
import type { InventoryStore } from '@shuttersense/inventory-core'
import type { ServerConfig } from './config.js'
import type { Api } from './route.js'
import type { ServerStore } from './server-store/index.js'

/** What every route module gets: `routes/*.ts` export `function xyzRoutes(ctx: RouteContext): void`. */
export interface RouteContext {
  api: Api
  store: InventoryStore
  serverStore: ServerStore
  config: ServerConfig
  logger: Logger
  /** The current time (tests pass a fixed clock). */
  now: () => Date
}
