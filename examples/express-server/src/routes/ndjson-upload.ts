import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { z } from 'zod'
import { HttpError, issuesOf } from '../errors.js'
import { ndjsonValueBatches, NdjsonFramingError } from '../ndjson.js'

/** An NDJSON upload, validated to its last line and held until the store has taken it. */
export interface StagedUpload<H, T> {
  /** The first line, when the upload has one. */
  header: H
  /** Records after the header. */
  count: number
  /**
   * The records in batches, read synchronously: a SQLite store swaps them in one synchronous transaction.
   * Read once.
   */
  batches(batchSize?: number): Iterable<T[]>
  /** Deletes the staging file, if any. Safe to call twice. */
  dispose(): void
}

/** How to read one upload. */
export interface UploadFormat<H, T> {
  /** The first line's schema; `null`: there is no header line. */
  header: z.ZodType<H> | null
  /** Each later line's schema. */
  line: z.ZodType<T>
  /**
   * A fast check of a later line (a million lines through zod cost seconds): the value when it is surely
   * valid, `null` to let `line` decide (and explain).
   */
  quickCheck?: ((value: unknown) => T | null) | undefined
  /** Records kept in memory; past this they are staged in a file (an upload may hold millions). @default 20000 */
  memoryRecords?: number | undefined
  /** Parent of the staging directory. @default os.tmpdir() */
  tmpDir?: string | undefined
}

const invalid = (line: number, message: string, issues?: ReturnType<typeof issuesOf>): HttpError =>
  new HttpError(400, 'INVALID_NDJSON', `line ${line}: ${message}`, issues)

/**
 * Reads a whole NDJSON request body, validating every line as it arrives. Nothing reaches the store
 * before the last line is read and valid: a bad line fails the upload with a 400 naming it, and the
 * store is never called, so nothing is half stored. Memory stays bounded: past `memoryRecords` the
 * validated lines go to a staging file that {@link StagedUpload.batches} reads back.
 */
export async function stageNdjsonUpload<H, T>(
  body: AsyncIterable<Uint8Array | string>,
  format: UploadFormat<H, T>,
): Promise<StagedUpload<H, T>> {
  const memoryRecords = format.memoryRecords ?? 20_000
  let header: H | undefined
  let records: T[] = []
  let file: { dir: string; path: string; fd: number; pending: string[]; pendingChars: number } | null = null
  let count = 0
  const flush = (): void => {
    if (!file || file.pending.length === 0) return
    writeSync(file.fd, file.pending.join(''))
    file.pending = []
    file.pendingChars = 0
  }
  const stage = (text: string): void => {
    file!.pending.push(text)
    file!.pendingChars += text.length
    if (file!.pendingChars >= 1 << 20) flush()
  }
  const dispose = (): void => {
    if (!file) return
    try {
      closeSync(file.fd)
    } catch {
      // already closed
    }
    rmSync(file.dir, { recursive: true, force: true })
    file = null
  }

  try {
    for await (const values of ndjsonValueBatches(body)) for (const { number, value } of values) {
      if (format.header && header === undefined) {
        const parsed = format.header.safeParse(value)
        if (!parsed.success) throw invalid(number, 'invalid header', issuesOf(parsed.error, `line.${number}`))
        header = parsed.data
        continue
      }
      const quick = format.quickCheck?.(value) ?? null
      let record: T
      if (quick !== null) {
        record = quick
      } else {
        const parsed = format.line.safeParse(value)
        if (!parsed.success) throw invalid(number, 'invalid record', issuesOf(parsed.error, `line.${number}`))
        record = parsed.data
      }
      count++
      if (file) {
        stage(`${JSON.stringify(record)}\n`)
        continue
      }
      records.push(record)
      if (records.length > memoryRecords) {
        const dir = mkdtempSync(path.join(format.tmpDir ?? tmpdir(), 'shuttersense-upload-'))
        const filePath = path.join(dir, 'upload.ndjson')
        file = { dir, path: filePath, fd: openSync(filePath, 'w'), pending: [], pendingChars: 0 }
        for (const record of records) stage(`${JSON.stringify(record)}\n`)
        records = []
      }
    }
    if (format.header && header === undefined) throw invalid(1, 'the upload has no header line')
    flush()
  } catch (error) {
    dispose()
    if (error instanceof NdjsonFramingError) throw invalid(error.line, error.message.replace(/^line \d+: /, ''))
    throw error
  }

  const staged = file as { path: string; fd: number } | null
  if (staged) closeSync(staged.fd)
  return {
    header: header as H,
    count,
    *batches(batchSize = 5000) {
      if (!staged) {
        for (let i = 0; i < records.length; i += batchSize) yield records.slice(i, i + batchSize)
        return
      }
      yield* readStagedFile<T>(staged.path, batchSize)
    },
    dispose,
  }
}

/** The staged records back from their file, synchronously, in batches; lines are already valid. */
function* readStagedFile<T>(filePath: string, batchSize: number): Generator<T[]> {
  const fd = openSync(filePath, 'r')
  try {
    const buffer = Buffer.allocUnsafe(1 << 20)
    const decoder = new TextDecoder()
    let partial = ''
    let batch: T[] = []
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const text = partial + decoder.decode(buffer.subarray(0, read), { stream: true })
      let start = 0
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        batch.push(JSON.parse(text.slice(start, end)) as T)
        start = end + 1
        if (batch.length >= batchSize) {
          yield batch
          batch = []
        }
      }
      partial = text.slice(start)
    }
    if (batch.length > 0) yield batch
  } finally {
    closeSync(fd)
  }
}
