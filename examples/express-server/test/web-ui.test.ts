import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from './harness.js'

/** The UI's build (`npm run build` makes it; CI builds before it tests). */
const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url))

describe('the web UI, served by the server from its build', () => {
  let server: TestServer
  beforeAll(async () => {
    if (!existsSync(path.join(WEB_DIST, 'index.html'))) throw new Error(`${WEB_DIST}/index.html is missing: run npm run build first`)
    server = await createTestServer({ webDir: WEB_DIST })
  })
  afterAll(() => server?.close())

  it('serves the app at / and its assets with their types', async () => {
    const page = await request(server.app).get('/').expect(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.text).toContain('<div id="root"></div>')
    const scripts = [...page.text.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!)
    const styles = [...page.text.matchAll(/<link[^>]+href="([^"]+\.css)"/g)].map((m) => m[1]!)
    expect(scripts).toHaveLength(1)
    expect(styles).toHaveLength(1)
    const script = await request(server.app).get(scripts[0]!).expect(200)
    expect(script.headers['content-type']).toMatch(/javascript/)
    expect(script.text).toContain('/api/connectors')
    expect((await request(server.app).get(styles[0]!).expect(200)).headers['content-type']).toMatch(/^text\/css/)
  })

  it('answers client-side routes with index.html, but unknown API paths with a JSON 404', async () => {
    for (const route of ['/connectors/new', `/connectors/con_${'0'.repeat(32)}/folders`, '/collections/col_x']) {
      const page = await request(server.app).get(route).expect(200)
      expect(page.text, route).toContain('<div id="root"></div>')
    }
    const api = await request(server.app).get('/api/no-such-endpoint').set('Authorization', server.user).expect(404)
    expect(api.body.error.code).toBe('NOT_FOUND')
    await request(server.app).get('/api/connectors').expect(401)
    expect((await request(server.app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' })
    // A missing asset is a 404, not the page (a stale tab must not parse HTML as JavaScript).
    await request(server.app).get('/assets/gone-1234.js').expect((res) => expect(res.text).not.toContain('<div id="root">'))
  })
})
