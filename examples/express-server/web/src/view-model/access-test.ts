import type { Job } from '../api/types.js'
import { formatAge, formatBytes, plural } from './format.js'

export type Tone = 'ok' | 'error' | 'busy' | 'none'

/** What an access test says, in words, and how it looks. */
export interface AccessTestText {
  tone: Tone
  text: string
}

/**
 * The result of a `test` job in words: "Found report 2026-01-20T00-00Z, 4 data files (12 MB)" or the
 * agent's sentence about what is wrong ("AccessDenied … s3:GetObject on …"). The job's `result` is the
 * agent's finding as JSON, so it is read defensively.
 */
export function describeAccessTest(job: Job | null, now: Date): AccessTestText {
  if (job === null) return { tone: 'none', text: 'Not tested yet.' }
  if (job.status === 'queued') return { tone: 'busy', text: 'Waiting for an agent to run the test…' }
  if (job.status === 'running') return { tone: 'busy', text: 'An agent is testing access…' }
  if (job.status === 'cancelled') return { tone: 'none', text: 'The test was cancelled.' }
  if (job.status === 'failed') return { tone: 'error', text: `The test could not run: ${job.error?.message ?? 'no reason recorded'}.` }
  const result = (job.result ?? {}) as { ok?: unknown; latest?: Record<string, unknown>; message?: unknown; code?: unknown; permission?: unknown }
  const when = ` (tested ${formatAge(job.finishedAt, now)})`
  if (result.ok === true && result.latest) {
    const latest = result.latest
    const files = typeof latest.dataFiles === 'number' ? `, ${plural(latest.dataFiles, 'data file')}` : ''
    const size = typeof latest.compressedBytes === 'number' ? ` (${formatBytes(latest.compressedBytes)} compressed)` : ''
    const format = typeof latest.fileFormat === 'string' ? ` ${latest.fileFormat}` : ''
    return { tone: 'ok', text: `Access works: found${format} report ${String(latest.timestamp)}${files}${size}${when}.` }
  }
  const message = typeof result.message === 'string' ? result.message : 'The agent reported a problem without details.'
  const permission = typeof result.permission === 'string' ? ` Needed permission: ${result.permission}.` : ''
  const code = typeof result.code === 'string' ? `${result.code}: ` : ''
  return { tone: 'error', text: `${code}${message}${permission}${when}` }
}
