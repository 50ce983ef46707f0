import type { FileInfo } from '@shuttersense/inventory-core'
import type { FileInfoChanges } from '@shuttersense/inventory-core/types'
import type { z } from 'zod'
import { FileInfoBatchMarkerSchema, FileInfoChangeLineSchema, FileInfoLineSchema, quickFileInfo } from '../agent-schemas.js'
import { HttpError, issuesOf } from '../errors.js'
import { ndjsonValueBatches, NdjsonFramingError } from '../ndjson.js'

/** One collection's part of a batch upload. */
export type FileInfoBatchPart = z.infer<typeof FileInfoBatchMarkerSchema> &
  ({ mode: 'replace'; files: FileInfo[] } | { mode: 'changes'; changes: FileInfoChanges })

/**
 * Lines one batch may hold: the agent sends small collections together (about 10,000 rows) and a big
 * one on its own, streamed, so the whole batch is held in memory.
 */
export const FILE_INFO_BATCH_MAX_LINES = 200_000

const invalid = (line: number, message: string, issues?: ReturnType<typeof issuesOf>): HttpError =>
  new HttpError(400, 'INVALID_NDJSON', `line ${line}: ${message}`, issues)

function parsed<T>(schema: z.ZodType<T>, value: unknown, line: number, what: string): T {
  const result = schema.safeParse(value)
  if (!result.success) throw invalid(line, `invalid ${what}`, issuesOf(result.error, `line.${line}`))
  return result.data
}

/** The FileInfo of an `{"upsert": …}` line that is surely valid; `null` leaves the verdict to zod. */
function quickUpsert(value: unknown): FileInfo | null {
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 1) return null
  return quickFileInfo((value as { upsert?: unknown }).upsert)
}

/**
 * Reads a whole batch upload (`{"collection": marker}` lines, each followed by its collection's FileInfo
 * or change lines), validating every line; nothing reaches the store before the last line is read and
 * valid, so a bad line stores nothing.
 */
export async function readFileInfoBatch(body: AsyncIterable<Uint8Array | string>): Promise<FileInfoBatchPart[]> {
  const parts: FileInfoBatchPart[] = []
  const seen = new Set<string>()
  let current: FileInfoBatchPart | null = null
  try {
    for await (const values of ndjsonValueBatches(body)) for (const { number, value } of values) {
      if (number > FILE_INFO_BATCH_MAX_LINES) {
        throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `a batch holds at most ${FILE_INFO_BATCH_MAX_LINES} lines: send a big collection on its own`)
      }
      if (typeof value === 'object' && value !== null && 'collection' in value) {
        const marker = parsed(FileInfoBatchMarkerSchema, (value as { collection: unknown }).collection, number, 'collection marker')
        if (seen.has(marker.collectionId)) throw invalid(number, `collection ${marker.collectionId} appears twice in the batch`)
        seen.add(marker.collectionId)
        current = marker.mode === 'replace' ? { ...marker, mode: 'replace', files: [] } : { ...marker, mode: 'changes', changes: { upserts: [], deletes: [] } }
        parts.push(current)
        continue
      }
      if (current === null) throw invalid(number, 'a batch starts with a {"collection": …} line')
      if (current.mode === 'replace') {
        current.files.push(quickFileInfo(value) ?? parsed(FileInfoLineSchema, value, number, 'FileInfo'))
        continue
      }
      const upsert = quickUpsert(value)
      const change = upsert ? { upsert } : parsed(FileInfoChangeLineSchema, value, number, 'change')
      if ('upsert' in change) current.changes.upserts.push(change.upsert)
      else current.changes.deletes.push(change.delete)
    }
  } catch (error) {
    if (error instanceof NdjsonFramingError) throw invalid(error.line, error.message.replace(/^line \d+: /, ''))
    throw error
  }
  return parts
}
