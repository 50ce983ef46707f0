import { Validator } from '@seriousme/openapi-schema-validator'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openApiPath } from '../src/openapi.js'
import type { ServerApp } from '../src/app.js'
import { createTestServer, type TestServer } from './harness.js'

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> }
  handle?: { stack?: Layer[] }
}

/** Every `METHOD path` Express serves, read from the app's router (nested routers included). */
function routesOf(app: ServerApp): string[] {
  const found: string[] = []
  const walk = (stack: Layer[]): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of [layer.route.path].flat().filter((p) => typeof p === 'string')) {
          for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.push(`${method} ${path}`)
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack)
      }
    }
  }
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack)
  return found
}

describe('OpenAPI document', () => {
  let server: TestServer
  let document: Record<string, unknown>
  beforeAll(async () => {
    server = await createTestServer()
    document = (await request(server.app).get('/api/openapi.json').expect(200)).body as Record<string, unknown>
  })
  afterAll(() => server.close())

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator()
    const result = await validator.validate(document)
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(validator.version).toBe('3.1')
  })

  it('documents every route the app serves, and nothing else', () => {
    const served = routesOf(server.app)
      .filter((route) => typeof route.split(' ')[1] === 'string' && route.split(' ')[1]!.startsWith('/'))
      .map((route) => {
        const [method, path] = route.split(' ') as [string, string]
        return `${method} ${openApiPath(path)}`
      })
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    )
    expect(served.length).toBeGreaterThan(0)
    expect([...new Set(served)].sort()).toEqual([...new Set(documented)].sort())
  })

  it('names the security of every operation', () => {
    for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown> }>>)) {
      for (const [method, operation] of Object.entries(methods)) {
        const isPublic = path === '/healthz' || path === '/api/openapi.json' || path === '/api/docs'
        expect(operation.security.length, `${method} ${path}`).toBe(isPublic ? 0 : 1)
        if (!isPublic) expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']))
      }
    }
  })
})
