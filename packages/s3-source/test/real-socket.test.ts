import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { createS3Source, type S3Source } from '../src/index.js'
import { startFakeS3, type FakeReply, type FakeRequest, type FakeS3Server } from './helpers/fake-s3-server.js'

// The SDK's real HTTP handler against a local server that misbehaves on the socket: what
// aws-sdk-client-mock cannot show (how the SDK reports a reset mid-body, whether bytes are handed out as
// they arrive, whether an abort reaches the socket).

const OBJECT = randomBytes(200_000)
const PATH = '/inventory-dest/reports/data/file.csv.gz'
const ETAG = '"5d41402abc4b2a76b9719d911017c592"'

let server: FakeS3Server | undefined
let source: S3Source | undefined

async function serve(reply: (request: FakeRequest, n: number) => FakeReply): Promise<S3Source> {
  server = await startFakeS3(reply)
  source = createS3Source({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    retry: { retries: 3, minTimeout: 1, maxTimeout: 5 },
  })
  return source
}

afterEach(async () => {
  source?.destroy()
  await server?.stop()
  source = undefined
  server = undefined
})

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

const stream = (s3: S3Source, signal?: AbortSignal) =>
  s3.streamObject('inventory-dest', 'reports/data/file.csv.gz', { signal })

describe('real sockets: broken and slow bodies', () => {
  it('resumes a body cut by a connection reset with Range and If-Match; the bytes are identical', async () => {
    const s3 = await serve((_request, n) => ({ object: OBJECT, etag: ETAG, ...(n === 0 ? { cutAfter: 70_000 } : {}) }))
    const data = await readAll(stream(s3))
    expect(data.equals(OBJECT)).toBe(true)
    const [first, resumed, ...rest] = server!.requests
    expect(rest).toEqual([])
    expect(first!.path).toBe(PATH)
    expect(first!.range).toBeUndefined()
    // From the last byte that reached the client (all 70,000 written, unless the kernel dropped some).
    const from = Number(/^bytes=(\d+)-$/.exec(resumed!.range ?? '')?.[1])
    expect(from).toBeGreaterThan(0)
    expect(from).toBeLessThanOrEqual(70_000)
    expect(resumed!.ifMatch).toBe(ETAG)
    expect(s3.requestCounts()).toEqual({ GetObject: 2 })
  })

  it('retries a connection reset before any response', async () => {
    const s3 = await serve((_request, n) => (n === 0 ? 'reset' : { object: OBJECT }))
    expect((await readAll(stream(s3))).equals(OBJECT)).toBe(true)
    expect(server!.requests.map((request) => request.range)).toEqual([undefined, undefined])
  })

  it('hands out the first bytes before the server has sent the rest (no whole-object buffering)', async () => {
    // The server holds the rest until the reader has its first bytes: a source that buffers the whole
    // object sees them only once the fallback releases the rest, and the check below fails.
    let released = false
    let release!: () => void
    const resume = new Promise<void>((resolve) => (release = resolve)).then(() => {
      released = true
    })
    const s3 = await serve(() => ({ object: OBJECT, holdAfter: 64 * 1024, resume }))
    const chunks: Uint8Array[] = []
    const fallback = setTimeout(release, 10_000)
    let heldAtFirstChunk: boolean | undefined
    for await (const chunk of stream(s3)) {
      if (chunks.length === 0) {
        heldAtFirstChunk = !released
        release()
      }
      chunks.push(chunk)
    }
    clearTimeout(fallback)
    expect(heldAtFirstChunk).toBe(true)
    expect(Buffer.concat(chunks).equals(OBJECT)).toBe(true)
  })
})

describe('real sockets: S3 error documents', () => {
  it('retries 503 SlowDown twice, then reads the object', async () => {
    const s3 = await serve((_request, n) => (n < 2 ? { status: 503, code: 'SlowDown' } : { object: OBJECT }))
    expect((await readAll(stream(s3))).equals(OBJECT)).toBe(true)
    expect(server!.requests).toHaveLength(3)
    expect(s3.requestCounts()).toEqual({ GetObject: 3 })
  })

  it.each([
    [403, 'AccessDenied', 'ACCESS_DENIED'],
    [404, 'NoSuchKey', 'NOT_FOUND'],
    [404, 'NoSuchBucket', 'NOT_FOUND'],
  ])('%i %s fails at once with %s', async (status, code, expected) => {
    const s3 = await serve(() => ({ status, code }))
    await expect(readAll(stream(s3))).rejects.toMatchObject({ code: expected })
    expect(server!.requests).toHaveLength(1)
  })
})

describe('real sockets: cancellation', () => {
  it('aborting ends a request the server never answers, and closes its socket', async () => {
    const controller = new AbortController()
    // Aborted once the server has the request (and will never answer it).
    const s3 = await serve(() => {
      controller.abort()
      return 'hang'
    })
    const started = Date.now()
    await expect(readAll(stream(s3, controller.signal))).rejects.toMatchObject({ code: 'ABORTED' })
    expect(Date.now() - started).toBeLessThan(3_000)
    await server!.requests[0]!.closed
    expect(server!.requests).toHaveLength(1)
  })

  it('aborting ends a body that stalls part-way', async () => {
    const s3 = await serve(() => ({ object: OBJECT, holdAfter: 1000, resume: new Promise(() => undefined) }))
    const controller = new AbortController()
    const chunks: Uint8Array[] = []
    const reading = (async () => {
      for await (const chunk of stream(s3, controller.signal)) {
        chunks.push(chunk)
        // Every byte before the stall has come: abort while the reader waits for the next.
        if (Buffer.concat(chunks).byteLength === 1000) setImmediate(() => controller.abort())
      }
    })()
    await expect(reading).rejects.toMatchObject({ code: 'ABORTED' })
    expect(Buffer.concat(chunks).byteLength).toBe(1000)
    await server!.requests[0]!.closed
  })
})
