import type { RouteContext } from '../context.js'
import { renderDocsPage } from '../docs-page.js'
import { buildOpenApiDocument } from '../openapi.js'
import { z } from 'zod'

/**
 * `GET /api/openapi.json` and `GET /api/docs`, built from every route registered so far; mount this
 * module last. Both are public: they describe the API, not its data.
 */
export function openApiRoutes({ api }: RouteContext): void {
  let document: Record<string, unknown> | null = null
  const doc = (): Record<string, unknown> =>
    (document ??= buildOpenApiDocument(api.routes, {
      title: 'ShutterSense S3 Inventory server',
      version: '0.1.0',
      description:
        'Connectors, folders, collections, cached FileInfo and deltas of S3 Inventory imports, and the job queue agents run imports from. ' +
        'Every endpoint but /healthz, /api/openapi.json and /api/docs needs a bearer token. Errors are `{ "error": { "code", "message" } }`.',
    }))
  api.route(
    {
      method: 'get',
      path: '/api/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This API as an OpenAPI 3.1 document',
      tag: 'docs',
      auth: 'none',
      responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    },
    () => doc(),
  )
  api.route(
    {
      method: 'get',
      path: '/api/docs',
      operationId: 'apiDocs',
      summary: 'This API as a readable page',
      tag: 'docs',
      auth: 'none',
      responses: { 200: { description: 'HTML', contentType: 'text/html', schema: z.string() } },
    },
    ({ res }) => {
      res.type('html').send(renderDocsPage(doc()))
      return undefined
    },
  )
}
