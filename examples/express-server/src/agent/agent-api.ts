import { openAsBlob } from 'node:fs'
import { InventoryError, isInventoryError, type InventoryErrorCode } from '@shuttersense/inventory-core'
import { NDJSON_CONTENT_TYPE, ndjsonValueBatches } from '../ndjson.js'

/** How long calls to the server keep trying while it is unreachable or answers 5xx. */
export interface RetryPolicy {
  /** First delay; each next one doubles. @default 200 */
  minDelayMs?: number | undefined
  /** @default 5000 */
  maxDelayMs?: number | undefined
  /** Give up after trying this long (a server restart takes seconds). @default 120000 */
  budgetMs?: number | undefined
}

/** Options of {@link createAgentApi}. */
export interface AgentApiOptions {
  /** e.g. `http://127.0.0.1:8080` */
  serverUrl: string
  /** The agent token (or the registration token, for `register` only). */
  token: string
  retry?: RetryPolicy | undefined
  /** @default globalThis.fetch */
  fetch?: typeof fetch | undefined
}

/** One call of the agent API. */
export interface AgentRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH'
  path: string
  json?: unknown
  /** An NDJSON file to send as the body (read again on every attempt). */
  ndjsonFile?: string | undefined
  /** An NDJSON body held in memory (a small upload needs no scratch file). */
  ndjson?: string | undefined
  signal?: AbortSignal | undefined
  /** Overrides the client's retry policy (a heartbeat tries once: the next tick is its retry). */
  retry?: RetryPolicy | undefined
}

/** The HTTP side of an agent: JSON calls and NDJSON streams with retries, errors as `InventoryError`s. */
export interface AgentApi {
  readonly serverUrl: string
  /** The parsed JSON answer; `null` for 204. */
  call<T>(request: AgentRequest): Promise<T | null>
  /**
   * The NDJSON answer, in batches of values (as they arrive). A stream that breaks off (the server restarted) is asked for
   * again and continues after the values already given, within the retry policy; past it, or when the
   * new answer differs, it throws `STORE_ERROR`.
   */
  stream(request: AgentStreamRequest): AsyncIterable<unknown[]>
}

/** A streamed answer: it must be the same on every request (FileInfo in key order is). */
export interface AgentStreamRequest extends Omit<AgentRequest, 'ndjsonFile' | 'ndjson'> {
  /** Names a value, to check that a stream asked for again continues where the broken one stopped. */
  identity?: ((value: unknown) => unknown) | undefined
}

const KNOWN_CODES: ReadonlySet<string> = new Set<InventoryErrorCode>([
  'MANIFEST_NOT_FOUND', 'MANIFEST_INVALID', 'CHECKSUM_MISMATCH', 'SCHEMA_UNSUPPORTED', 'FORMAT_UNSUPPORTED',
  'DATA_FILE_MISSING', 'DATA_FILE_CORRUPT', 'SOURCE_ERROR', 'ACCESS_DENIED', 'IMPORT_IN_PROGRESS', 'NOT_FOUND',
  'CONFLICT', 'INVALID_ARGUMENT', 'ABORTED', 'STORE_ERROR',
])

/** A failed answer as the error the store seam speaks. */
function errorOfResponse(status: number, body: unknown, what: string): InventoryError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  const message = `${what}: ${typeof error?.message === 'string' ? error.message : `HTTP ${status}`}`
  const code = typeof error?.code === 'string' ? error.code : ''
  if (KNOWN_CODES.has(code)) return new InventoryError(code as InventoryErrorCode, message)
  if (status === 401 || status === 403) return new InventoryError('ACCESS_DENIED', message)
  if (status === 404) return new InventoryError('NOT_FOUND', message)
  if (status === 409) return new InventoryError('CONFLICT', message)
  if (status >= 500) return new InventoryError('STORE_ERROR', message)
  return new InventoryError('INVALID_ARGUMENT', message)
}

/** Worth trying again: the server is down, restarting, or failed for a reason of its own. */
const retryable = (status: number): boolean => status >= 500

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      signal?.removeEventListener('abort', aborted)
      resolve()
    }
    function aborted(): void {
      clearTimeout(timer)
      reject(new InventoryError('ABORTED', 'The operation was aborted.', { cause: signal?.reason }))
    }
    signal?.addEventListener('abort', aborted, { once: true })
  })

export function createAgentApi(options: AgentApiOptions): AgentApi {
  const base = options.serverUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? globalThis.fetch

  const policyOf = (request: AgentRequest) => ({ minDelayMs: 200, maxDelayMs: 5000, budgetMs: 120_000, ...options.retry, ...request.retry })

  /**
   * Sends until an answer that is not worth retrying, or the budget is spent. With `readJson`, a body
   * cut off after the headers (the server died while answering) is a failure worth retrying too.
   */
  async function send(request: AgentRequest, readJson: true): Promise<{ response: Response; body: unknown }>
  async function send(request: AgentRequest, readJson?: false): Promise<{ response: Response; body?: undefined }>
  async function send(request: AgentRequest, readJson = false): Promise<{ response: Response; body?: unknown }> {
    const policy = policyOf(request)
    const started = Date.now()
    const what = `${request.method} ${request.path}`
    for (let attempt = 0; ; attempt++) {
      if (request.signal?.aborted) throw new InventoryError('ABORTED', `${what}: aborted`, { cause: request.signal.reason })
      let failure: InventoryError
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: 'application/json' }
        let body: Blob | string | undefined
        if (request.ndjsonFile !== undefined) {
          headers['content-type'] = NDJSON_CONTENT_TYPE
          body = await openAsBlob(request.ndjsonFile)
        } else if (request.ndjson !== undefined) {
          headers['content-type'] = NDJSON_CONTENT_TYPE
          body = request.ndjson
        } else if (request.json !== undefined) {
          headers['content-type'] = 'application/json'
          body = JSON.stringify(request.json)
        }
        const response = await doFetch(`${base}${request.path}`, { method: request.method, headers, body, signal: request.signal })
        if (response.ok || !retryable(response.status)) {
          if (!readJson) return { response }
          if (response.status === 204) return { response, body: null }
          const text = await response.text()
          return { response, body: parseJson(text) }
        }
        failure = errorOfResponse(response.status, await response.json().catch(() => null), what)
      } catch (error) {
        if (isInventoryError(error)) throw error
        if (request.signal?.aborted) throw new InventoryError('ABORTED', 'The operation was aborted.', { cause: error })
        const cause = (error as { cause?: { code?: string; message?: string } }).cause
        failure = new InventoryError('STORE_ERROR', `${what}: server unreachable (${cause?.code ?? cause?.message ?? (error as Error).message})`, { cause: error })
      }
      const delay = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt)
      if (Date.now() - started + delay > policy.budgetMs) throw failure
      await sleep(delay, request.signal)
    }
  }

  return {
    serverUrl: base,
    async call<T>(request: AgentRequest): Promise<T | null> {
      const { response, body } = await send(request, true)
      if (!response.ok) throw errorOfResponse(response.status, body, `${request.method} ${request.path}`)
      return body as T | null
    },
    async *stream(request) {
      const what = `${request.method} ${request.path}`
      const policy = policyOf(request)
      const started = Date.now()
      /** Values yielded so far, and the identity of the last one. */
      let given = 0
      let last: unknown
      for (let attempt = 0; ; attempt++) {
        const { response } = await send(request)
        if (!response.ok) throw errorOfResponse(response.status, await response.json().catch(() => null), what)
        if (!response.body) return
        let seen = 0
        try {
          for await (const values of ndjsonValueBatches(response.body as AsyncIterable<Uint8Array>)) {
            const fresh: unknown[] = []
            for (const { value } of values) {
              if (++seen <= given) {
                if (seen === given && request.identity && request.identity(value) !== last) {
                  throw new InventoryError('STORE_ERROR', `${what}: asked again, the server answered differently from value ${given} on`)
                }
                continue
              }
              fresh.push(value)
            }
            if (fresh.length === 0) continue
            given += fresh.length
            if (request.identity) last = request.identity(fresh[fresh.length - 1])
            yield fresh
          }
          return
        } catch (error) {
          if (isInventoryError(error)) throw error
          if (request.signal?.aborted) throw new InventoryError('ABORTED', 'The operation was aborted.', { cause: error })
          const broken = new InventoryError('STORE_ERROR', `${what}: the stream broke off (${(error as Error).message})`, { cause: error })
          const delay = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt)
          if (Date.now() - started + delay > policy.budgetMs) throw broken
          await sleep(delay, request.signal)
        }
      }
    },
  }
}

/** A JSON body; an empty or unreadable one is `null`. */
function parseJson(text: string): unknown {
  try {
    return text === '' ? null : (JSON.parse(text) as unknown)
  } catch {
    return null
  }
}
