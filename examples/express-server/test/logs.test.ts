import { Writable } from 'node:stream'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.js'
import { createTestServer } from './harness.js'

function capture(logObjectKeys: boolean) {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'))
      callback()
    },
  })
  return { logger: createLogger({ logObjectKeys, destination }), lines }
}

describe('logs', () => {
  it('redact object keys, folder paths and secrets by default', () => {
    const { logger, lines } = capture(false)
    logger.info({ key: '2021/Wedding/Smith-Jones/IMG_1.jpg', detail: { path: '2021/Wedding/', prefix: '2021/' }, credentials: { secretAccessKey: 'S3CR3T' }, authorization: 'Bearer ssu_x' }, 'x')
    const text = lines.join('')
    expect(text).not.toMatch(/Wedding|2021\/|S3CR3T|ssu_x/)
    expect(text).toContain('[redacted]')
  })

  it('show object keys when asked, never secrets', () => {
    const { logger, lines } = capture(true)
    logger.info({ key: '2021/Wedding/IMG_1.jpg', secretAccessKey: 'S3CR3T' }, 'x')
    expect(lines.join('')).toContain('2021/Wedding/IMG_1.jpg')
    expect(lines.join('')).not.toContain('S3CR3T')
  })

  it('log each request by route pattern, without the query string', async () => {
    const s = await createTestServer()
    try {
      await request(s.app).get('/api/connectors?prefix=2021/Secret-Family-Trip/').set('Authorization', s.user).expect(200)
      const line = s.logs.find((l) => l.msg === 'request' && l.route === '/api/connectors')
      expect(line).toMatchObject({ method: 'GET', status: 200 })
      expect(JSON.stringify(s.logs)).not.toContain('Secret-Family-Trip')
      expect(JSON.stringify(s.logs)).not.toContain(s.user.slice(7))
    } finally {
      await s.close()
    }
  })
})
