import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One GetObject as the fake server saw it. */
export interface FakeRequest {
  /** `/bucket/key` (path style). */
  path: string
  range: string | undefined
  ifMatch: string | undefined
  /** Resolves when the client closed the request (aborted, or the socket went away). */
  closed: Promise<void>
}

/** What the fake server does with one request. */
export type FakeReply =
  /** An S3 error document with this status and code. */
  | { status: number; code: string }
  /** The object (honouring `Range: bytes=N-`), optionally cut or held part-way. */
  | {
      object: Uint8Array
      etag?: string
      /** Bytes of this reply written before the socket is destroyed (a connection reset mid-body). */
      cutAfter?: number
      /** Bytes written before the reply waits for `resume` (a slow network), then the rest. */
      holdAfter?: number
      resume?: Promise<void>
    }
  /** Never answer. */
  | 'hang'
  /** Destroy the socket before any response. */
  | 'reset'

export interface FakeS3Server {
  endpoint: string
  requests: FakeRequest[]
  stop(): Promise<void>
}

function sendError(res: ServerResponse, status: number, code: string): void {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${code} from the fake server</Message><RequestId>fake</RequestId></Error>`
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
  res.end(xml)
}

async function sendObject(req: IncomingMessage, res: ServerResponse, reply: Extract<FakeReply, { object: Uint8Array }>) {
  const { object } = reply
  const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0)
  const part = Buffer.from(object.subarray(from))
  res.writeHead(req.headers.range ? 206 : 200, {
    'content-type': 'application/octet-stream',
    'content-length': part.byteLength,
    etag: reply.etag ?? '"fake-etag"',
    ...(req.headers.range ? { 'content-range': `bytes ${from}-${object.byteLength - 1}/${object.byteLength}` } : {}),
  })
  const write = (bytes: Buffer): Promise<void> => new Promise((resolve) => res.write(bytes, () => resolve()))
  if (reply.cutAfter !== undefined) {
    await write(part.subarray(0, reply.cutAfter))
    res.socket?.destroy()
    return
  }
  if (reply.holdAfter !== undefined) {
    await write(part.subarray(0, reply.holdAfter))
    await reply.resume
    res.end(part.subarray(reply.holdAfter))
    return
  }
  res.end(part)
}

/**
 * A minimal S3 endpoint on 127.0.0.1 for faults that only real sockets show: a body cut mid-way by a
 * reset connection, a server that never answers, a reply that arrives slowly. `reply` decides per request
 * (`n` counts from 0); every request is recorded.
 */
export async function startFakeS3(
  reply: (request: FakeRequest, n: number) => FakeReply,
): Promise<FakeS3Server> {
  const requests: FakeRequest[] = []
  const server = createServer((req, res) => {
    const request: FakeRequest = {
      path: decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname),
      range: req.headers.range,
      ifMatch: req.headers['if-match'],
      closed: new Promise((resolve) => res.once('close', () => resolve())),
    }
    requests.push(request)
    const answer = reply(request, requests.length - 1)
    if (answer === 'hang') return
    if (answer === 'reset') {
      req.socket.destroy()
      return
    }
    if ('code' in answer) {
      sendError(res, answer.status, answer.code)
      return
    }
    void sendObject(req, res, answer)
  })
  server.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
