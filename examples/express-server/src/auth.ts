import type { RequestHandler } from 'express'
import type { ServerConfig } from './config.js'
import { HttpError } from './errors.js'
import type { ServerStore } from './server-store/index.js'
import { stringsMatch } from './server-store/tokens.js'

/** Who is calling: a user (by the name of their token) or an agent. */
export interface Actor {
  kind: 'user' | 'agent'
  /** `tok_…` for a user token (`admin` for SHUTTERSENSE_ADMIN_TOKEN), `agt_…` for an agent. */
  id: string
  /** The user's name, as the audit log records it; the agent's name. */
  name: string
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by {@link requireUser} / {@link requireAgent}. */
    actor?: Actor
  }
}

export interface AuthDeps {
  serverStore: ServerStore
  config: Pick<ServerConfig, 'adminToken' | 'agentRegistrationToken'>
  now: () => Date
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1]! : null
}

const unauthenticated = (message: string): HttpError => new HttpError(401, 'UNAUTHENTICATED', message)

/** Finds who a bearer token belongs to, whatever its kind; null for none. */
async function actorOf(token: string, deps: AuthDeps): Promise<Actor | null> {
  if (deps.config.adminToken !== null && stringsMatch(token, deps.config.adminToken)) return { kind: 'user', id: 'admin', name: 'admin' }
  if (token.startsWith('ssa_')) {
    const agent = await deps.serverStore.authenticateAgent(token, { now: deps.now() })
    return agent ? { kind: 'agent', id: agent.id, name: agent.name } : null
  }
  const user = await deps.serverStore.authenticateUser(token, { now: deps.now() })
  return user ? { kind: 'user', id: user.id, name: user.name } : null
}

function requireKind(kind: Actor['kind'], deps: AuthDeps): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization)
    if (token === null) throw unauthenticated('this endpoint needs an `Authorization: Bearer <token>` header')
    const actor = await actorOf(token, deps)
    if (actor === null) throw unauthenticated('the bearer token is not valid (unknown, malformed or revoked)')
    if (actor.kind !== kind) {
      throw new HttpError(403, 'FORBIDDEN', kind === 'user' ? 'an agent token cannot call user endpoints' : 'a user token cannot call agent endpoints')
    }
    req.actor = actor
    res.locals.actorId = actor.id
    next()
  }
}

/** Lets only user tokens through (401 without a valid token, 403 for an agent token). */
export const requireUser = (deps: AuthDeps): RequestHandler => requireKind('user', deps)

/** Lets only agent tokens through (401 without a valid token, 403 for a user token). */
export const requireAgent = (deps: AuthDeps): RequestHandler => requireKind('agent', deps)

/** Lets through the agent registration token (403 when registration is not enabled). */
export function requireRegistrationToken(deps: AuthDeps): RequestHandler {
  return (req, _res, next) => {
    const token = bearerToken(req.headers.authorization)
    if (token === null) throw unauthenticated('agent registration needs `Authorization: Bearer <registration token>`')
    const expected = deps.config.agentRegistrationToken
    if (expected === null) throw new HttpError(403, 'REGISTRATION_DISABLED', 'agent registration is disabled: set SHUTTERSENSE_AGENT_REGISTRATION_TOKEN on the server')
    if (!stringsMatch(token, expected)) throw unauthenticated('the registration token is not valid')
    next()
  }
}

/** The name the audit log records for a caller (`system` when there is none). */
export const actorName = (actor: Actor | null): string => actor?.name ?? 'system'
