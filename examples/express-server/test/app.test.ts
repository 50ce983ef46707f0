import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ADMIN_TOKEN, createTestServer, type TestServer } from './harness.js'

describe('the app', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer()
  })
  afterAll(() => server.close())

  it('answers /healthz without a token', async () => {
    const res = await request(server.app).get('/healthz').expect(200)
    expect(res.body).toEqual({ status: 'ok' })
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['x-powered-by']).toBeUndefined()
  })

  it('answers unknown paths with a JSON 404', async () => {
    const res = await request(server.app).get('/api/nothing-here').set('Authorization', server.user).expect(404)
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no endpoint GET /api/nothing-here' } })
  })

  it('serves its OpenAPI document and a docs page without a token', async () => {
    const doc = await request(server.app).get('/api/openapi.json').expect(200)
    expect(doc.body.openapi).toBe('3.1.0')
    const page = await request(server.app).get('/api/docs').expect(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    expect(page.text).toContain('/api/openapi.json')
    expect(page.text).not.toMatch(/<script/i)
  })

  it('accepts SHUTTERSENSE_ADMIN_TOKEN as a user token', () => {
    expect(ADMIN_TOKEN.length).toBeGreaterThan(16)
    expect(z.string().parse(server.config.adminToken)).toBe(ADMIN_TOKEN)
  })
})
