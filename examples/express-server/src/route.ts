import express, { type Request, type RequestHandler, type Response } from 'express'
import type { z } from 'zod'
import { requireAgent, requireRegistrationToken, requireUser, type Actor, type AuthDeps } from './auth.js'
import { HttpError, validate } from './errors.js'

/** Who may call a route. */
export type RouteAuth = 'none' | 'user' | 'agent' | 'registration'

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** One documented answer of a route. */
export interface RouteResponse {
  description: string
  /** JSON body (omit for none). */
  schema?: z.ZodType | undefined
  /** @default 'application/json' */
  contentType?: string | undefined
}

/**
 * A route as the server serves and documents it: validation of params, query and JSON body, the auth it
 * needs, and its answers. The OpenAPI document is built from these specs alone.
 */
export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: HttpMethod
  /** Express path, e.g. `/api/connectors/:connectorGuid`. */
  path: string
  operationId: string
  summary: string
  description?: string | undefined
  tag: string
  auth: RouteAuth
  params?: P | undefined
  query?: Q | undefined
  /** A JSON body, validated before the handler runs. */
  body?: B | undefined
  /**
   * A body the handler reads itself (e.g. NDJSON): documented with this content type and the schema of
   * one line; not parsed or validated here.
   */
  rawBody?: { contentType: string; schema: z.ZodType; description?: string } | undefined
  /** Largest JSON body (e.g. '256kb'); the app's default otherwise. */
  bodyLimit?: string | number | undefined
  /** Answers by status. The first 2xx is the status of a value the handler returns. */
  responses: Record<number, RouteResponse>
}

/** What a handler gets: validated input and the caller. */
export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.output<P>
  query: z.output<Q>
  body: z.output<B>
  /** The caller (`null` on `none` and `registration` routes). */
  actor: Actor | null
  req: Request
  res: Response
}

/**
 * A handler resolves to the JSON body of its success status, or to `undefined` after answering
 * itself through `res` (streams).
 */
export type RouteHandler<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = (
  input: RouteInput<P, Q, B>,
) => unknown

/** Collects routes: an Express router plus the specs the OpenAPI document is made of. */
export interface Api {
  readonly router: express.Router
  readonly routes: readonly RouteSpec[]
  route<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
    spec: RouteSpec<P, Q, B>,
    handler: RouteHandler<P, Q, B>,
  ): void
}

export interface ApiOptions {
  auth: AuthDeps
  /** Largest JSON body by default. */
  jsonBodyLimitBytes: number
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length']
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

export function createApi(options: ApiOptions): Api {
  const router = express.Router()
  const routes: RouteSpec[] = []
  const authOf: Record<RouteAuth, RequestHandler | null> = {
    none: null,
    user: requireUser(options.auth),
    agent: requireAgent(options.auth),
    registration: requireRegistrationToken(options.auth),
  }

  function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: RouteSpec<P, Q, B>, handler: RouteHandler<P, Q, B>): void {
    routes.push(spec as unknown as RouteSpec)
    const successStatus = Number(Object.keys(spec.responses).find((status) => Number(status) >= 200 && Number(status) < 300) ?? 200)
    const chain: RequestHandler[] = []
    const auth = authOf[spec.auth]
    if (auth) chain.push(auth)
    if (spec.body) {
      const json = express.json({ limit: spec.bodyLimit ?? options.jsonBodyLimitBytes, strict: true })
      chain.push((req, res, next) => {
        if (hasBody(req) && !req.is('application/json')) {
          throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json')
        }
        json(req, res, next)
      })
    }
    chain.push(async (req, res) => {
      const input: RouteInput<P, Q, B> = {
        params: (spec.params ? validate(spec.params, req.params, 'params') : undefined) as z.output<P>,
        query: (spec.query ? validate(spec.query, req.query, 'query') : undefined) as z.output<Q>,
        body: (spec.body ? validate(spec.body, req.body ?? {}, 'body') : undefined) as z.output<B>,
        actor: req.actor ?? null,
        req,
        res,
      }
      const result = await handler(input)
      if (res.headersSent || result === undefined) return
      res.status(successStatus).json(result)
    })
    router[spec.method](spec.path, ...chain)
  }

  return { router, routes, route }
}
