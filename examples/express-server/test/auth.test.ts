import express from 'express'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { errorHandler, notFoundHandler } from '../src/errors.js'
import { createApi } from '../src/route.js'
import { ADMIN_TOKEN, createTestServer, REGISTRATION_TOKEN, silentLogger, type TestServer } from './harness.js'

describe('auth and validation of routes', () => {
  let server: TestServer
  let app: express.Express
  beforeAll(async () => {
    server = await createTestServer()
    const api = createApi({ auth: { serverStore: server.serverStore, config: server.config, now: () => new Date() }, jsonBodyLimitBytes: 1024 })
    const responses = { 200: { description: 'ok', schema: z.object({ actor: z.unknown() }) } }
    api.route({ method: 'get', path: '/u', operationId: 'u', summary: 'u', tag: 't', auth: 'user', responses }, ({ actor }) => ({ actor }))
    api.route({ method: 'get', path: '/a', operationId: 'a', summary: 'a', tag: 't', auth: 'agent', responses }, ({ actor }) => ({ actor }))
    api.route({ method: 'post', path: '/r', operationId: 'r', summary: 'r', tag: 't', auth: 'registration', responses }, () => ({ actor: null }))
    api.route(
      {
        method: 'post',
        path: '/v/:id',
        operationId: 'v',
        summary: 'v',
        tag: 't',
        auth: 'user',
        params: z.object({ id: z.string().startsWith('con_') }),
        query: z.object({ limit: z.coerce.number().int().max(10).optional() }),
        body: z.object({ name: z.string().min(1), n: z.number().int() }),
        responses: { 201: { description: 'created', schema: z.object({ name: z.string() }) } },
      },
      ({ body }) => ({ name: body.name }),
    )
    api.route({ method: 'get', path: '/boom', operationId: 'boom', summary: 'b', tag: 't', auth: 'none', responses }, () => {
      throw new Error('secret internals at /home/x.ts:1')
    })
    app = express()
    app.use(api.router)
    app.use(notFoundHandler)
    app.use(errorHandler(silentLogger))
  })
  afterAll(() => server.close())

  it('401 without a token, with a malformed header, or with an unknown token', async () => {
    for (const header of [undefined, 'Basic abc', 'Bearer ', `Bearer ssu_0123456789abcdef_${'0'.repeat(64)}`, 'Bearer nonsense']) {
      const req = request(app).get('/u')
      if (header !== undefined) req.set('Authorization', header)
      const res = await req.expect(401)
      expect(res.body.error.code).toBe('UNAUTHENTICATED')
    }
  })

  it('lets a user token through to user routes, naming the user', async () => {
    const res = await request(app).get('/u').set('Authorization', server.user).expect(200)
    expect(res.body.actor).toMatchObject({ kind: 'user', name: 'alice' })
    const admin = await request(app).get('/u').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200)
    expect(admin.body.actor).toEqual({ kind: 'user', id: 'admin', name: 'admin' })
  })

  it('403 for an agent token on user routes and a user token on agent routes', async () => {
    expect((await request(app).get('/u').set('Authorization', server.agent).expect(403)).body.error.code).toBe('FORBIDDEN')
    expect((await request(app).get('/a').set('Authorization', server.user).expect(403)).body.error.code).toBe('FORBIDDEN')
    expect((await request(app).get('/a').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(403)).body.error.code).toBe('FORBIDDEN')
    const res = await request(app).get('/a').set('Authorization', server.agent).expect(200)
    expect(res.body.actor).toMatchObject({ kind: 'agent', id: server.agentId })
  })

  it('a revoked token is refused at once', async () => {
    const { token, user } = await server.serverStore.createUserToken('eve')
    await request(app).get('/u').set('Authorization', `Bearer ${token}`).expect(200)
    await server.serverStore.revokeUserToken(user.id)
    await request(app).get('/u').set('Authorization', `Bearer ${token}`).expect(401)
  })

  it('checks the registration token', async () => {
    await request(app).post('/r').expect(401)
    await request(app).post('/r').set('Authorization', 'Bearer wrong-registration-token').expect(401)
    await request(app).post('/r').set('Authorization', server.user).expect(401)
    await request(app).post('/r').set('Authorization', `Bearer ${REGISTRATION_TOKEN}`).expect(200)
  })

  it('400 lists every zod issue of params, query and body', async () => {
    const res = await request(app).post('/v/xyz?limit=50').set('Authorization', server.user).send({ name: '', n: 1.5 }).expect(400)
    expect(res.body.error.code).toBe('INVALID_ARGUMENT')
    // Params are checked first; the first failing part is reported.
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['params.id'])
    const body = await request(app).post('/v/con_1').set('Authorization', server.user).send({ name: '', n: 1.5 }).expect(400)
    expect(body.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.n', 'body.name'])
    const query = await request(app).post('/v/con_1?limit=50').set('Authorization', server.user).send({ name: 'x', n: 1 }).expect(400)
    expect(query.body.error.issues[0].path).toBe('query.limit')
    const ok = await request(app).post('/v/con_1?limit=5').set('Authorization', server.user).send({ name: 'x', n: 1 }).expect(201)
    expect(ok.body).toEqual({ name: 'x' })
  })

  it('authenticates before it validates (no schema hints without a token)', async () => {
    await request(app).post('/v/xyz').send({}).expect(401)
  })

  it('400 for malformed JSON, 415 for a body that is not JSON, 413 above the limit', async () => {
    const bad = await request(app).post('/v/con_1').set('Authorization', server.user).set('Content-Type', 'application/json').send('{"name":').expect(400)
    expect(bad.body.error.code).toBe('INVALID_JSON')
    const text = await request(app).post('/v/con_1').set('Authorization', server.user).set('Content-Type', 'text/plain').send('name=x').expect(415)
    expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const big = await request(app).post('/v/con_1').set('Authorization', server.user).send({ name: 'x'.repeat(5000), n: 1 }).expect(413)
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE')
  })

  it('500 without a stack trace or the error message', async () => {
    const res = await request(app).get('/boom').expect(500)
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal server error' } })
    expect(res.text).not.toContain('secret internals')
  })
})
