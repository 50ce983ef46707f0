import { nextTurn } from '../io/next-turn.js'
import type { InventoryField } from '../parse/file-schema.js'
import { rowOutcome } from '../parse/record-fields.js'
import { RowTally } from '../parse/row-tally.js'
import { RECORD_PATH_ROW, ROLL_UP_ROW, RolledUpBatches, classifyRollupRow, rollupMillis } from '../parse/rollup-row.js'
import type { DataFileReadContext, DataFileReader, FolderRollupSink, RolledUpBatch } from '../pipeline/data-file-reader.js'
import type { FileInfo } from '../types.js'
import { KeyBytesScan } from './key-bytes.js'
import { type ByteColumn, type FlagColumn, type FlatColumn, type NumberColumn, columnChunkRange, flatKindOf, readFlatColumn } from './parquet-columns.js'
import { BOUNDED_COMPRESSORS, type RowGroupSource, decodeRowGroups, topLevelColumns } from './parquet-file.js'
import { type RowGroupData, dateText, hyparquetValues, outcomeOf, rollUpValues, sizeOf, utf8Decoder } from './parquet-values.js'

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

async function* readParquetDataFile(context: DataFileReadContext, options: ParquetReaderOptions): AsyncGenerator<FileInfo[]> {
  const batchSize = options.batchSize ?? 8192
  const tally = new RowTally(context.counts, context.file.key)
  for await (const { data, groupStart, groupRows } of decodeRowGroups(context, options.maxRowGroupBytes ?? MAX_PARQUET_ROW_GROUP_BYTES, hyparquetValues)) {
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
  for await (const { data, groupStart, groupRows } of decodeRowGroups(context, options.maxRowGroupBytes ?? MAX_PARQUET_ROW_GROUP_BYTES, decode)) {
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
export async function readFlatRowGroup({ file, metadata, columns, index, groupRows }: RowGroupSource): Promise<FlatRowGroup | undefined> {
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
