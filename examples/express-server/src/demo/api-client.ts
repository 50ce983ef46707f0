/**
 * A small client of the server's user API for the demo: JSON in and out, bearer token, and an
 * `ApiError` carrying the API's `{ error: { code, message } }` when a call fails.
 */
import type { JobView } from '../schemas.js'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export interface ApiClient {
  readonly baseUrl: string
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>
  /** Polls a job until it ends; `onUpdate` sees every state read. */
  waitForJob(jobGuid: string, options?: { timeoutMs?: number; onUpdate?: (job: JobView) => void }): Promise<JobView>
}

export function createApiClient(baseUrl: string, token: string): ApiClient {
  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    const json: unknown = text ? JSON.parse(text) : null
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | null)?.error
      throw new ApiError(response.status, error?.code ?? 'HTTP_ERROR', `${method} ${path}: ${response.status} ${error?.code ?? ''} ${error?.message ?? text}`.trim())
    }
    return json as T
  }
  return {
    baseUrl,
    request,
    async waitForJob(jobGuid, options = {}) {
      const until = Date.now() + (options.timeoutMs ?? 10 * 60_000)
      for (;;) {
        const { job } = await request<{ job: JobView }>('GET', `/api/jobs/${jobGuid}`)
        options.onUpdate?.(job)
        if (job.status !== 'queued' && job.status !== 'running') return job
        if (Date.now() > until) throw new Error(`job ${jobGuid} is still ${job.status} after ${options.timeoutMs ?? 600_000} ms`)
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    },
  }
}
