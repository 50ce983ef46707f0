import { z } from 'zod'
import { ErrorSchema } from './schemas.js'
import type { RouteSpec } from './route.js'

type JsonSchema = Record<string, unknown>

export interface OpenApiInfo {
  title: string
  version: string
  description?: string | undefined
}

/** `/api/connectors/:connectorGuid` -> `/api/connectors/{connectorGuid}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
}

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid request: `error.issues` lists every problem',
  401: 'No valid bearer token',
  403: 'The token may not call this endpoint',
  404: 'Not found',
  409: 'Conflicts with stored state',
  413: 'Request body too large',
  415: 'Request body is not JSON',
  500: 'Internal error (no details are given)',
}

/**
 * Builds the OpenAPI 3.1 document of `routes` from their zod schemas. Named schemas (`.meta({ id })`)
 * become `components.schemas`; request bodies are converted as input (defaults optional), responses as output.
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[], info: OpenApiInfo): JsonSchema {
  const components: Record<string, JsonSchema> = {}

  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema
    const suffix = io === 'input' ? 'Input' : ''
    const text = JSON.stringify(json).replace(/"#\/\$defs\/([^"]+)"/g, (_m, id: string) => `"#/components/schemas/${id}${suffix}"`)
    const { $schema: _schema, $defs, ...rest } = JSON.parse(text) as JsonSchema & { $defs?: Record<string, JsonSchema> }
    for (const [id, def] of Object.entries($defs ?? {})) components[`${id}${suffix}`] = def
    // A named schema at the top is a component too, referred to by name.
    const id = z.globalRegistry.get(schema)?.id
    if (typeof id === 'string') {
      components[`${id}${suffix}`] = rest
      return { $ref: `#/components/schemas/${id}${suffix}` }
    }
    return rest
  }

  const parameters = (schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] => {
    if (!schema) return []
    const json = convert(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] }
    return Object.entries(json.properties ?? {}).map(([name, property]) => {
      const { description, ...propertySchema } = property
      return {
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propertySchema,
      }
    })
  }

  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {}
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: convert(response.schema, 'output') } } } : {}),
      }
    }
    if (route.auth !== 'none') {
      for (const status of [401, 403]) responses[status] ??= { description: STANDARD_ERRORS[status]!, content: { 'application/json': { schema: convert(ErrorSchema, 'output') } } }
    }
    if (route.params || route.query || route.body) {
      responses[400] ??= { description: STANDARD_ERRORS[400]!, content: { 'application/json': { schema: convert(ErrorSchema, 'output') } } }
    }
    responses[500] ??= { description: STANDARD_ERRORS[500]!, content: { 'application/json': { schema: convert(ErrorSchema, 'output') } } }

    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      security: route.auth === 'none' ? [] : [{ [`${route.auth}Token`]: [] }],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses,
    }
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: convert(route.body, 'input') } } }
    } else if (route.rawBody) {
      operation.requestBody = {
        required: true,
        ...(route.rawBody.description ? { description: route.rawBody.description } : {}),
        content: { [route.rawBody.contentType]: { schema: convert(route.rawBody.schema, 'input') } },
      }
    }
    const path = openApiPath(route.path)
    paths[path] ??= {}
    paths[path][route.method] = operation
  }

  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', description: 'A user token (`npm run server -- tokens create --name NAME`, or SHUTTERSENSE_ADMIN_TOKEN).' },
        agentToken: { type: 'http', scheme: 'bearer', description: 'An agent token from POST /api/agents/register.' },
        registrationToken: { type: 'http', scheme: 'bearer', description: 'SHUTTERSENSE_AGENT_REGISTRATION_TOKEN, exchanged once for an agent token.' },
      },
    },
  }
}
