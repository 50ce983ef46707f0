// A Parquet row group through hyparquet's own decoding, as JS values: the record path, and the rollup of
// a row group in a form the flat decoding (parquet-reader.ts) does not read.
import { type AsyncBuffer, type FileMetaData, parquetRead } from 'hyparquet'
import type { InventoryField } from '../parse/file-schema.js'
import { isInvalidKey, rowOutcome } from '../parse/record-fields.js'
import type { RowTally } from '../parse/row-tally.js'
import { KEY_FOR_RECORD_PATH, RECORD_PATH_ROW, ROLL_UP_ROW, type RolledUpBatches, classifyRollupRow, rollupMillis } from '../parse/rollup-row.js'
import type { FolderRollupSink, RolledUpBatch } from '../pipeline/data-file-reader.js'
import type { FileInfo } from '../types.js'
import { BOUNDED_COMPRESSORS, type NeededColumns, type RowGroupSource } from './parquet-file.js'

/** A row group's needed columns decoded by hyparquet, as JS values. */
export const hyparquetValues = ({ buffer, metadata, columns, groupStart, groupRows }: RowGroupSource): Promise<RowGroupData> =>
  readRowGroup(buffer, metadata, columns, groupStart, groupRows)

type ColumnValues = ArrayLike<unknown>
/** A row group's needed columns, each as hyparquet's values for every row. */
export type RowGroupData = Partial<Record<InventoryField, ColumnValues>>

/** Decodes one row group's needed columns, each as one array of values (null where absent). */
async function readRowGroup(
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: NeededColumns,
  groupStart: number,
  groupRows: number,
): Promise<RowGroupData> {
  const fieldOf = new Map(Object.entries(columns).map(([field, column]) => [column, field as InventoryField]))
  const pieces = new Map<InventoryField, { rowStart: number; values: ColumnValues }[]>()
  await parquetRead({
    file,
    metadata,
    columns: [...fieldOf.keys()],
    rowStart: groupStart,
    rowEnd: groupStart + groupRows,
    compressors: BOUNDED_COMPRESSORS,
    parsers: MILLISECOND_PARSERS,
    onChunk(chunk) {
      const field = fieldOf.get(chunk.columnName)
      if (field === undefined) return
      const list = pieces.get(field) ?? []
      list.push({ rowStart: chunk.rowStart - groupStart, values: chunk.columnData })
      pieces.set(field, list)
    },
  })
  const data: RowGroupData = {}
  for (const [field, list] of pieces) data[field] = joinPieces(list, groupRows)
  return data
}

function joinPieces(list: { rowStart: number; values: ColumnValues }[], rows: number): ColumnValues {
  if (list.length === 1 && list[0]!.rowStart === 0 && list[0]!.values.length >= rows) return list[0]!.values
  const out = new Array<unknown>(rows).fill(null)
  for (const { rowStart, values } of list) {
    for (let i = 0; i < values.length && rowStart + i < rows; i++) if (rowStart + i >= 0) out[rowStart + i] = values[i]
  }
  return out
}

/** Timestamps as epoch milliseconds, whatever unit the file stores. */
const MILLISECOND_PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros / 1000n),
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos / 1000000n),
}

/** A row's outcome from hyparquet's values, through {@link rowOutcome} as the CSV record path reads its fields. */
export function outcomeOf(data: RowGroupData, row: number): ReturnType<typeof rowOutcome> {
  return rowOutcome(
    textOf(data.key?.[row]),
    sizeOf(data.size?.[row]),
    dateText(data.lastModifiedDate?.[row]),
    textOf(data.eTag?.[row]),
    textOf(data.storageClass?.[row]),
    data.isLatest === undefined ? undefined : flagText(data.isLatest[row]),
    data.isDeleteMarker === undefined ? undefined : flagText(data.isDeleteMarker[row]),
  )
}

const flagText = (value: unknown): string => (isTrue(value) ? 'true' : '')

/** A size value as a whole number of bytes; -1 when it is none (null, negative, not safe). */
export function sizeOf(value: unknown): number {
  const size = typeof value === 'bigint' ? Number(value) : value
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : -1
}

/** A date value (epoch milliseconds, a Date or a bigint) as ISO 8601 text; '' when it is none. */
export function dateText(value: unknown): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'bigint' ? Number(value) : value
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : ''
}

/** Decodes a string column's bytes, as hyparquet does. */
export const utf8Decoder = new TextDecoder()

/** A string column's value: a string, or its UTF-8 bytes (`utf8: false`); '' when null. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : value instanceof Uint8Array ? utf8Decoder.decode(value) : ''
}


/** The rollup of a row group decoded by hyparquet: each current object by its folder's UTF-8 bytes from its key string. */
export function* rollUpValues(
  data: RowGroupData,
  groupStart: number,
  groupRows: number,
  batchSize: number,
  tally: RowTally,
  batches: RolledUpBatches,
  sink: FolderRollupSink,
): Generator<RolledUpBatch> {
  const folder = new FolderBytes()
  const { key: keys, size: sizes, lastModifiedDate: dates, isLatest, isDeleteMarker } = data
  for (let row = 0; row < groupRows; row++) {
    if (batches.objects >= batchSize) yield batches.take()
    const key = keys?.[row]
    // A key that is not a string (null) is the record path's to name.
    const keyLength = typeof key === 'string' ? key.length : KEY_FOR_RECORD_PATH
    const size = sizeOf(sizes?.[row])
    const kind = classifyRollupRow(
      isLatest === undefined || isTrue(isLatest[row]),
      isDeleteMarker !== undefined && isTrue(isDeleteMarker[row]),
      keyLength,
      keyLength > 0 && isInvalidKey(key as string),
      size,
      rollupMillis(dates?.[row]),
    )
    if (kind === ROLL_UP_ROW) {
      const slot = sink.folders.addObject(folder.bytes, 0, folder.set(key as string, (key as string).lastIndexOf('/') + 1), size, dates![row] as number)
      if (batches.rolledUp(slot)) batches.keep(outcomeOf(data, row) as FileInfo, slot)
      continue
    }
    const outcome = kind === RECORD_PATH_ROW ? outcomeOf(data, row) : kind
    if (typeof outcome === 'object') batches.addRecord(outcome)
    else tally.accept(outcome, groupStart + row + 1)
  }
}

/** A reused buffer holding one folder path's UTF-8 bytes. */
class FolderBytes {
  bytes = new Uint8Array(1024)
  private readonly encoder = new TextEncoder()

  /** Puts `key.slice(0, end)` in {@link bytes} and returns its length in bytes. */
  set(key: string, end: number): number {
    if (this.bytes.length < end * 3) this.bytes = new Uint8Array(end * 3)
    const bytes = this.bytes
    for (let i = 0; i < end; i++) {
      const unit = key.charCodeAt(i)
      if (unit >= 0x80) return this.encoder.encodeInto(key.slice(0, end), bytes).written
      bytes[i] = unit
    }
    return end
  }
}

/** A flag as the record path reads it (`String(value) === 'true'`), with booleans first. */
const isTrue = (value: unknown): boolean => (typeof value === 'boolean' ? value : textOf(value) === 'true')
