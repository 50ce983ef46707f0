/**
 * Fault injection for the end-to-end tests: an HTTP proxy on 127.0.0.1 in front of s3rver (data-file
 * GETs, phase A) or the server (the agent's FileInfo uploads, phases B and C) that holds the requests
 * `slow(method, path)` picks for `delayMs` before passing them on, so an import stays in a phase long
 * enough for a poller (the browser) to see it running.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SlowProxy {
  endpoint: string
  /** How many requests were held so far. */
  held(): number
  stop(): Promise<void>
}

export async function startSlowProxy(target: string, slow: (method: string, path: string) => boolean, delayMs: number): Promise<SlowProxy> {
  const upstream = new URL(target)
  let held = 0
  const server: Server = createServer((incoming, answer) => {
    const forward = (): void => {
      const outgoing = request(
        { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (response) => {
          answer.writeHead(response.statusCode ?? 502, response.headers)
          response.pipe(answer)
        },
      )
      outgoing.on('error', () => answer.destroy())
      incoming.pipe(outgoing)
    }
    if (slow(incoming.method ?? 'GET', incoming.url ?? '/')) {
      held++
      setTimeout(forward, delayMs)
    } else forward()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    held: () => held,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
