import type { ImportView, Job, JobProgress } from '../api/types.js'
import { formatBytes, formatCount, formatPercent, plural } from './format.js'

export type PhaseKey = 'A' | 'B' | 'C'
export const PHASE_TEXT: Record<PhaseKey, string> = { A: 'A: folders', B: 'B: FileInfo', C: 'C: deltas' }

export interface PhaseStep {
  phase: PhaseKey
  label: string
  state: 'done' | 'current' | 'todo'
}

/** The three phases of an import, each done, current or still to come. */
export function phaseSteps(phase: JobProgress['phase'] | undefined): PhaseStep[] {
  const order: PhaseKey[] = ['A', 'B', 'C']
  const at = phase === 'done' ? 3 : phase ? order.indexOf(phase) : -1
  return order.map((p, i) => ({ phase: p, label: PHASE_TEXT[p], state: i < at ? 'done' : i === at ? 'current' : 'todo' }))
}

/** Bad rows by reason in words: `3 bad rows (2 missing_key, 1 bad_size)`; `no bad rows`. */
export function badRowsText(badRows: Record<string, number> | undefined | null): string {
  const entries = Object.entries(badRows ?? {}).filter(([, n]) => n > 0)
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  if (total === 0) return 'no bad rows'
  return `${plural(total, 'bad row')} (${entries.map(([reason, n]) => `${formatCount(n)} ${reason}`).join(', ')})`
}

/** What a running (or queued) job is doing, in words, figure by figure. */
export function progressLines(job: Job): string[] {
  if (job.status === 'queued') return [`Queued${job.trigger === 'scheduled' ? ' by the schedule' : ''}: waiting for an agent.`]
  const p = job.progress
  if (!p) return ['Started: waiting for the first progress report.']
  const lines = [`Phase ${p.phase ? (p.phase === 'done' ? 'done' : PHASE_TEXT[p.phase]) : '—'}, ${formatPercent(p.percent)}`]
  lines.push(`${plural(p.rows, 'row')} read, ${plural(p.records, 'record')}`)
  if (p.dataFiles > 0) lines.push(`${formatCount(p.dataFilesDone)} of ${plural(p.dataFiles, 'data file')} read`)
  lines.push(badRowsText(p.badRows))
  if (p.collections > 0) lines.push(`${formatCount(p.collectionsDone)} of ${plural(p.collections, 'collection')} done`)
  if (p.message) lines.push(p.message)
  return lines
}

/** `12 S3 requests, where a ListObjectsV2 scan would need 20 (40% fewer)`. */
export function requestsText(requests: ImportView['requests']): string {
  if (!requests) return 'S3 requests not counted for this import.'
  const saved = requests.saved > 0 ? ` (${Math.round(requests.savedPercent * 10) / 10}% fewer)` : ''
  return `${plural(requests.made, 'S3 request')}, where a ListObjectsV2 scan of the bucket would need ${formatCount(requests.listObjectsV2Scan)}${saved}.`
}

/** The summary of a finished import, figure by figure (its summary is the store's JSON, read defensively). */
export function importSummaryLines(imp: ImportView): string[] {
  const s = (imp.summary ?? {}) as Record<string, unknown>
  const num = (value: unknown): number | null => (typeof value === 'number' ? value : null)
  const rows = (s.rows ?? {}) as Record<string, unknown>
  const lines: string[] = []
  const objects = num(s.objectCount)
  const bytes = num(s.totalSizeBytes)
  if (objects !== null) lines.push(`${plural(objects, 'object')}${bytes !== null ? `, ${formatBytes(bytes)}` : ''}`)
  const folders = num(s.folderCount)
  if (folders !== null) lines.push(plural(folders, 'folder'))
  const dataFiles = num(s.dataFiles)
  if (dataFiles !== null) lines.push(`${plural(dataFiles, 'data file')}${num(s.compressedBytes) !== null ? ` (${formatBytes(num(s.compressedBytes)!)} compressed)` : ''}`)
  if (num(rows.rows) !== null) lines.push(`${plural(num(rows.rows)!, 'row')} read, ${badRowsText(rows.badRows as Record<string, number>)}`)
  const collections = num(s.collections)
  if (collections !== null) lines.push(`${plural(collections, 'collection')} updated`)
  return lines
}

/** How an "Import now" ended, in words, with the tone of its message. */
export function importEndText(job: Job): { tone: 'ok' | 'error' | 'none'; text: string } {
  const result = (job.result ?? {}) as { noNewReport?: boolean; inventoryTimestamp?: string }
  if (job.status === 'completed') {
    if (result.noNewReport) return { tone: 'none', text: `No newer report than ${result.inventoryTimestamp ?? 'the last one imported'}: nothing to import, the last import stands.` }
    return { tone: 'ok', text: `Import completed${result.inventoryTimestamp ? ` (report ${result.inventoryTimestamp})` : ''}.` }
  }
  if (job.status === 'failed') return { tone: 'error', text: `The import failed: ${job.error?.message ?? 'no reason recorded'}` }
  return { tone: 'none', text: `The import was ${job.status}.` }
}
