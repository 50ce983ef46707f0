import { type AsyncBuffer, type FileMetaData, type SchemaElement, parquetMetadataAsync, parquetRead } from 'hyparquet'
import { decompressZstdBounded } from '@shuttersense/inventory-orc'
import { compressors } from 'hyparquet-compressors'
import { InventoryError, isInventoryError } from '../errors.js'
import type { RandomAccessFile } from '../io/random-access-file.js'
import { type InventoryField, inventoryFieldOf, requireImportFields } from '../parse/file-schema.js'
import { isInvalidKey, rowOutcome } from '../parse/record-fields.js'
import { IMPORT_READ_FIELDS, ROLLUP_READ_FIELDS } from './read-fields.js'
import { RowTally } from '../parse/row-tally.js'
import { KEY_FOR_RECORD_PATH, RECORD_PATH_ROW, ROLL_UP_ROW, RolledUpBatches, classifyRollupRow, rollupMillis } from '../parse/rollup-row.js'
import type { DataFileReadContext, DataFileReader, FolderRollupSink, RolledUpBatch } from '../pipeline/data-file-reader.js'
import type { FileInfo } from '../types.js'
import { type ByteColumn, type FlagColumn, type FlatColumn, type NumberColumn, columnChunkRange, flatKindOf, readFlatColumn } from './parquet-columns.js'
import { KeyBytesScan } from './key-bytes.js'
import { nextTurn } from '../io/next-turn.js'

/** Options of {@link createParquetReader}. */
export interface ParquetReaderOptions {
  /**
   * Most bytes (uncompressed) of the needed column chunks of one row group: a row group is decoded
   * whole, so this bounds the reader's memory. A file with a larger row group is refused with
   * `FORMAT_UNSUPPORTED` naming the file and the figures, before it is decoded. @default 256 MiB
   */
  maxRowGroupBytes?: number | undefined
  /** Records per yielded batch. @default 8192 */
  batchSize?: number | undefined
}

/** Default of {@link ParquetReaderOptions.maxRowGroupBytes}. */
export const MAX_PARQUET_ROW_GROUP_BYTES = 256 * 1024 * 1024

/**
 * A reader of Parquet data files (hyparquet): the file staged for random access, then row group by row
 * group, only the columns the import needs. Keys are taken as they are (Parquet keys are not URL-encoded);
 * only the latest version that is not a delete marker is a file; bad rows are counted by reason.
 */
export function createParquetReader(options: ParquetReaderOptions = {}): DataFileReader {
  return Object.assign((context: DataFileReadContext) => readParquetDataFile(context, options), {
    rollUp: (context: DataFileReadContext, sink: FolderRollupSink) => rollUpParquetDataFile(context, options, sink),
    readsStagedCopy: true,
  })
}

/** The Parquet reader with default options. */
export const readParquetData: DataFileReader = createParquetReader()

/** One row group of a data file, decoded by the caller's `decode`. */
interface DecodedRowGroup<T> {
  data: T
  /** Rows before this group in the file. */
  groupStart: number
  groupRows: number
}

/** What decoding one row group needs. */
interface RowGroupSource {
  file: RandomAccessFile
  buffer: AsyncBuffer
  metadata: FileMetaData
  columns: NeededColumns
  index: number
  groupStart: number
  groupRows: number
}

/**
 * The file staged, its footer checked and read, then each row group's needed columns decoded in turn
 * by `decode`; the staged file is closed when the reading ends.
 */
async function* decodeRowGroups<T>(
  context: DataFileReadContext,
  options: ParquetReaderOptions,
  decode: (source: RowGroupSource) => Promise<T>,
): AsyncGenerator<DecodedRowGroup<T>> {
  const name = context.file.key
  const file = await context.openFile()
  try {
    const buffer = asyncBufferOf(file)
    const metadata = await corruptOnFailure(name, async () => {
      await checkMagic(file, name)
      return parquetMetadataAsync(buffer)
    })
    const columns = neededColumns(metadata, name, context.rollupOnly === true)
    const maxBytes = options.maxRowGroupBytes ?? MAX_PARQUET_ROW_GROUP_BYTES
    let groupStart = 0
    for (const [index, group] of metadata.row_groups.entries()) {
      const groupRows = Number(group.num_rows)
      checkRowGroupSize(group.columns, columns, index, maxBytes, name)
      const data = await corruptOnFailure(name, () => decode({ file, buffer, metadata, columns, index, groupStart, groupRows }))
      yield { data, groupStart, groupRows }
      groupStart += groupRows
    }
  } finally {
    await file.close()
  }
}

/** A row group's needed columns decoded by hyparquet, as JS values. */
const hyparquetValues = ({ buffer, metadata, columns, groupStart, groupRows }: RowGroupSource): Promise<RowGroupData> =>
  readRowGroup(buffer, metadata, columns, groupStart, groupRows)

async function* readParquetDataFile(context: DataFileReadContext, options: ParquetReaderOptions): AsyncGenerator<FileInfo[]> {
  const batchSize = options.batchSize ?? 8192
  const tally = new RowTally(context.counts, context.file.key)
  for await (const { data, groupStart, groupRows } of decodeRowGroups(context, options, hyparquetValues)) {
    for (let row = 0; row < groupRows; row++) {
      tally.accept(outcomeOf(data, row), groupStart + row + 1)
      if (tally.batch.length >= batchSize) yield tally.take()
    }
    if (tally.batch.length > 0) yield tally.take()
  }
}

/**
 * The rollup form of the reader ({@link DataFileReader.rollUp}): a row group's needed columns are decoded
 * into flat arrays ({@link readFlatRowGroup}: the keys' bytes with their offsets, sizes and dates as
 * numbers), and a current object with a valid key, size and an ordinary date goes into the folder rollup
 * straight from its key's bytes, with no string, date text or object per row; only the objects a
 * collection wants become FileInfo. Any other row takes {@link rowOutcome}'s path with the same values
 * hyparquet would give, so every row has the same outcome on either path. A row group in a form the flat
 * decoding does not read goes through hyparquet's values ({@link rollUpValues}).
 */
async function* rollUpParquetDataFile(context: DataFileReadContext, options: ParquetReaderOptions, sink: FolderRollupSink): AsyncGenerator<RolledUpBatch> {
  const batchSize = options.batchSize ?? 8192
  const tally = new RowTally(context.counts, context.file.key)
  const batches = new RolledUpBatches(context.counts, sink)
  const key = new KeyBytesScan()
  const decode = async (source: RowGroupSource): Promise<FlatRowGroup | RowGroupData> => (await readFlatRowGroup(source)) ?? hyparquetValues(source)
  for await (const { data, groupStart, groupRows } of decodeRowGroups(context, options, decode)) {
    if (!isFlatRowGroup(data)) {
      yield* rollUpValues(data, groupStart, groupRows, batchSize, tally, batches, sink)
      continue
    }
    const { key: keys, size: sizes, lastModifiedDate: dates, isLatest, isDeleteMarker } = data
    const { data: bytes, starts, ends } = keys
    for (let row = 0; row < groupRows; row++) {
      if (batches.objects >= batchSize) {
        yield batches.take()
        await nextTurn()
      }
      const current = isLatest === undefined || isLatest.values[row] === 1
      const deleteMarker = isDeleteMarker !== undefined && isDeleteMarker.values[row] === 1
      const start = starts[row]!
      if (current && !deleteMarker) key.scan(bytes, start, ends[row]!)
      const size = sizeOf(sizes.values[row])
      const time = dates.values[row]!
      const kind = classifyRollupRow(current, deleteMarker, key.length, key.invalid, size, rollupMillis(time))
      if (kind === ROLL_UP_ROW) {
        const slot = sink.folders.addObject(bytes, start, key.folderEnd, size, time, key.folderHash)
        if (batches.rolledUp(slot)) batches.keep(flatOutcome(data, row) as FileInfo, slot)
        continue
      }
      const outcome = kind === RECORD_PATH_ROW ? flatOutcome(data, row) : kind
      if (typeof outcome === 'object') batches.addRecord(outcome)
      else tally.accept(outcome, groupStart + row + 1)
    }
  }
  if (batches.objects > 0) yield batches.take()
}

/** The rollup of a row group decoded by hyparquet: each current object by its folder's UTF-8 bytes from its key string. */
function* rollUpValues(
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

/** A row group's needed columns as {@link FlatColumn}s: the key's bytes, size and date as numbers, flags. */
interface FlatRowGroup {
  flat: true
  key: ByteColumn
  size: NumberColumn
  lastModifiedDate: NumberColumn
  eTag?: ByteColumn | undefined
  storageClass?: ByteColumn | undefined
  isLatest?: FlagColumn | undefined
  isDeleteMarker?: FlagColumn | undefined
}

const isFlatRowGroup = (data: FlatRowGroup | RowGroupData): data is FlatRowGroup => 'flat' in data

/**
 * Reads a row group's needed column chunks and decodes them into flat arrays ({@link readFlatColumn});
 * undefined when a column's type or a page's form is one the flat decoding leaves to hyparquet.
 */
async function readFlatRowGroup({ file, metadata, columns, index, groupRows }: RowGroupSource): Promise<FlatRowGroup | undefined> {
  const group = metadata.row_groups[index]!
  const elements = new Map(topLevelColumns(metadata.schema).map((element) => [element.name, element]))
  const flat: Partial<Record<InventoryField, FlatColumn>> = {}
  for (const [field, name] of Object.entries(columns) as [InventoryField, string][]) {
    const element = elements.get(name)
    const kind = element && flatKindOf(field, element)
    const chunk = group.columns.find((candidate) => candidate.meta_data?.path_in_schema.length === 1 && candidate.meta_data.path_in_schema[0] === name)
    const meta = chunk?.meta_data
    if (kind === undefined || meta === undefined || chunk?.file_path !== undefined) return undefined
    const { start, end } = columnChunkRange(meta)
    if (start < 0 || end > file.size) throw new Error(`column ${name} of row group ${index} lies past the file's end`)
    const column = readFlatColumn(await file.read(start, end - start), groupRows, {
      kind,
      type: element!.type,
      optional: element!.repetition_type !== 'REQUIRED',
      codec: meta.codec,
      compressors: BOUNDED_COMPRESSORS,
      uncompressedBytes: Number(meta.total_uncompressed_size),
    })
    if (column === undefined) return undefined
    flat[field] = column
  }
  if (flat.key?.kind !== 'bytes' || flat.size?.kind !== 'numbers' || flat.lastModifiedDate?.kind !== 'numbers') return undefined
  return { flat: true, ...(flat as Omit<FlatRowGroup, 'flat'>) }
}

/** A row's outcome from its flat columns: the values hyparquet gives, through {@link rowOutcome}. */
function flatOutcome(data: FlatRowGroup, row: number): ReturnType<typeof rowOutcome> {
  return rowOutcome(
    bytesText(data.key, row),
    sizeOf(data.size.values[row]),
    dateText(data.lastModifiedDate.values[row]),
    bytesText(data.eTag, row),
    bytesText(data.storageClass, row),
    data.isLatest === undefined ? undefined : data.isLatest.values[row] === 1 ? 'true' : '',
    data.isDeleteMarker === undefined ? undefined : data.isDeleteMarker.values[row] === 1 ? 'true' : '',
  )
}

/** A string column's value at `row`, decoded as hyparquet decodes it; '' when null. */
function bytesText(column: ByteColumn | undefined, row: number): string {
  const start = column?.starts[row] ?? -1
  return start < 0 ? '' : utf8Decoder.decode(column!.data.subarray(start, column!.ends[row]))
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

/** The file's own column name of each field read (from the file's schema, not the manifest's). */
type NeededColumns = Partial<Record<InventoryField, string>>

function neededColumns(metadata: FileMetaData, file: string, rollupOnly: boolean): NeededColumns {
  const topLevel = topLevelColumns(metadata.schema)
  const byField = new Map<InventoryField | undefined, string>()
  for (const element of topLevel) {
    const field = inventoryFieldOf(element.name)
    if (field !== undefined && element.num_children === undefined && !byField.has(field)) byField.set(field, element.name)
  }
  requireImportFields(byField.keys(), 'Parquet', file)
  const columns: NeededColumns = {}
  for (const field of rollupOnly ? ROLLUP_READ_FIELDS : IMPORT_READ_FIELDS) {
    const column = byField.get(field)
    if (column !== undefined) columns[field] = column
  }
  return columns
}

/** The root's direct children in a flattened Parquet schema (groups' descendants skipped over). */
function topLevelColumns(schema: readonly SchemaElement[]): SchemaElement[] {
  const out: SchemaElement[] = []
  let at = 1
  const skip = (): void => {
    const element = schema[at++]
    for (let child = 0; child < (element?.num_children ?? 0); child++) skip()
  }
  for (let child = 0; child < (schema[0]?.num_children ?? 0) && at < schema.length; child++) {
    out.push(schema[at]!)
    skip()
  }
  return out
}

function checkRowGroupSize(
  chunks: FileMetaData['row_groups'][number]['columns'],
  columns: NeededColumns,
  index: number,
  maxBytes: number,
  file: string,
): void {
  const wanted = new Set(Object.values(columns))
  let bytes = 0
  for (const chunk of chunks) {
    const meta = chunk.meta_data
    if (meta && wanted.has(meta.path_in_schema[0]!)) bytes += Number(meta.total_uncompressed_size)
  }
  if (bytes > maxBytes) {
    throw new InventoryError(
      'FORMAT_UNSUPPORTED',
      `${file}: row group ${index} needs ${mib(bytes)} MiB of column chunks, over the reader's limit of ${mib(maxBytes)} MiB ` +
        '(raise maxRowGroupBytes if the machine has the memory)',
      { file },
    )
  }
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1)

type ColumnValues = ArrayLike<unknown>
type RowGroupData = Partial<Record<InventoryField, ColumnValues>>

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

/**
 * hyparquet's decompressors, with ZSTD held to the page's declared size: a damaged frame header would
 * otherwise make the decompressor allocate what it claims (up to 2 GiB).
 */
const BOUNDED_COMPRESSORS = { ...compressors, ZSTD: (input: Uint8Array, length: number) => decompressZstdBounded(input, length) }

/** Timestamps as epoch milliseconds, whatever unit the file stores. */
const MILLISECOND_PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros / 1000n),
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos / 1000000n),
}

function outcomeOf(data: RowGroupData, row: number): ReturnType<typeof rowOutcome> {
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

function sizeOf(value: unknown): number {
  const size = typeof value === 'bigint' ? Number(value) : value
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : -1
}

function dateText(value: unknown): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'bigint' ? Number(value) : value
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : ''
}

const utf8Decoder = new TextDecoder()

/** A string column's value: a string, or its UTF-8 bytes (`utf8: false`); '' when null. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : value instanceof Uint8Array ? utf8Decoder.decode(value) : ''
}

/** hyparquet's file interface over a {@link RandomAccessFile}. */
function asyncBufferOf(file: RandomAccessFile): AsyncBuffer {
  return {
    byteLength: file.size,
    async slice(start, end = file.size) {
      const bytes = await file.read(start, Math.max(0, end - start))
      // hyparquet wants an ArrayBuffer holding exactly the range. (Copied by hand: `slice` of a Node
      // Buffer, which a memory file may hold, is a view, not a copy.)
      if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes.buffer as ArrayBuffer
      const copy = new Uint8Array(bytes.byteLength)
      copy.set(bytes)
      return copy.buffer
    },
  }
}

const MAGIC = 'PAR1'

async function checkMagic(file: RandomAccessFile, name: string): Promise<void> {
  const ok = (bytes: Uint8Array): boolean => Buffer.from(bytes).toString('latin1') === MAGIC
  if (file.size < 12 || !ok(await file.read(0, 4)) || !ok(await file.read(file.size - 4, 4))) {
    throw new InventoryError('DATA_FILE_CORRUPT', `${name}: not a Parquet file (no PAR1 at its start and end: truncated or another format)`, {
      file: name,
    })
  }
}

/** Runs `action`; anything but an InventoryError it throws means the file is corrupt. */
async function corruptOnFailure<T>(file: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    if (isInventoryError(error)) throw error
    throw new InventoryError('DATA_FILE_CORRUPT', `${file}: corrupt Parquet file (${(error as Error)?.message ?? String(error)})`, {
      file,
      cause: error,
    })
  }
}
