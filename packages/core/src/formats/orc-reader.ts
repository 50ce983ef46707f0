import { type OrcFile, type OrcSchema, type OrcStripeColumns, type OrcTimestamp, type OrcValue, OrcError, openOrcFile } from '@shuttersense/inventory-orc'
import { InventoryError, isInventoryError } from '../errors.js'
import type { RandomAccessFile } from '../io/random-access-file.js'
import { type InventoryField, inventoryFieldOf, parseFileSchema, requireImportFields } from '../parse/file-schema.js'
import { rowOutcome } from '../parse/record-fields.js'
import { IMPORT_READ_FIELDS, ROLLUP_READ_FIELDS, isTrueFlag, textOf } from './read-fields.js'
import { RowTally } from '../parse/row-tally.js'
import { RECORD_PATH_ROW, ROLL_UP_ROW, RolledUpBatches, classifyRollupRow, rollupMillis } from '../parse/rollup-row.js'
import { KeyBytesScan } from './key-bytes.js'
import { nextTurn } from '../io/next-turn.js'
import type { DataFileReadContext, DataFileReader, FolderRollupSink, RolledUpBatch } from '../pipeline/data-file-reader.js'
import type { FileInfo } from '../types.js'

/** Options of {@link createOrcReader}. */
export interface OrcReaderOptions {
  /**
   * Most bytes of one stripe's needed streams (as stored, and again decompressed): a stripe is decoded
   * whole, so this bounds the reader's memory. A file with a larger stripe is refused with
   * `FORMAT_UNSUPPORTED` naming the file and the figures. @default 256 MiB
   */
  maxStripeBytes?: number | undefined
  /** Records per yielded batch. @default 8192 */
  batchSize?: number | undefined
}

/**
 * A reader of ORC data files (`@shuttersense/inventory-orc`): the file staged for random access, then
 * stripe by stripe, only the columns the import needs. Keys are taken as they are (ORC keys are not
 * URL-encoded); only the latest version that is not a delete marker is a file; bad rows are counted by reason.
 */
export function createOrcReader(options: OrcReaderOptions = {}): DataFileReader {
  return Object.assign((context: DataFileReadContext) => readOrcDataFile(context, options), {
    rollUp: (context: DataFileReadContext, sink: FolderRollupSink) => rollUpOrcDataFile(context, options, sink),
    readsStagedCopy: true,
  })
}

/** The ORC reader with default options. */
export const readOrcData: DataFileReader = createOrcReader()

/** The file opened, its needed columns found, then each stripe's needed columns read in turn; the staged file is closed at the end. */
async function* readStripes(context: DataFileReadContext, options: OrcReaderOptions): AsyncGenerator<{ stripe: OrcStripeColumns; columns: NeededColumns; stripeStart: number }> {
  const name = context.file.key
  const file = await context.openFile()
  try {
    const orc = await asInventoryError(() => openOrcFile(orcAccessOf(file), { name }))
    const columns = neededColumns(orc, context, name)
    const wanted = Object.values(columns)
    let stripeStart = 0
    for (let index = 0; index < orc.stripes.length; index++) {
      const stripe = await asInventoryError(async () => orc.readStripeColumns(index, { columns: wanted, maxStripeBytes: options.maxStripeBytes }))
      yield { stripe, columns, stripeStart }
      stripeStart += stripe.rowCount
    }
  } finally {
    await file.close()
  }
}

async function* readOrcDataFile(context: DataFileReadContext, options: OrcReaderOptions): AsyncGenerator<FileInfo[]> {
  const batchSize = options.batchSize ?? 8192
  const tally = new RowTally(context.counts, context.file.key)
  for await (const { stripe, columns, stripeStart } of readStripes(context, options)) {
    const values = asInventoryErrorSync(() => stripeValues(stripe, columns))
    for (let row = 0; row < stripe.rowCount; row++) {
      tally.accept(outcomeOf(values, row), stripeStart + row + 1)
      if (tally.batch.length >= batchSize) yield tally.take()
    }
    if (tally.batch.length > 0) yield tally.take()
  }
}

function stripeValues(stripe: OrcStripeColumns, columns: NeededColumns): StripeValues {
  const values: StripeValues = {}
  for (const [field, column] of Object.entries(columns)) values[field as InventoryField] = stripe.values(column)
  return values
}

/**
 * The rollup form of the reader ({@link DataFileReader.rollUp}): a current object with a valid key, size
 * and an ordinary date goes into the folder rollup straight from the key's bytes in the stripe's string
 * stream (or dictionary), with its size and date from the integer streams: no string, no date text, no
 * object per row. Only the objects a collection wants become FileInfo; any other row takes
 * {@link outcomeOf}'s path, so every row has the same outcome on either path. A file whose key is not a
 * string column or whose date is not a timestamp goes through the record path whole.
 */
async function* rollUpOrcDataFile(context: DataFileReadContext, options: OrcReaderOptions, sink: FolderRollupSink): AsyncGenerator<RolledUpBatch> {
  const batchSize = options.batchSize ?? 8192
  const tally = new RowTally(context.counts, context.file.key)
  const batches = new RolledUpBatches(context.counts, sink)
  for await (const { stripe, columns, stripeStart } of readStripes(context, options)) {
    const plain =
      columns.key !== undefined &&
      BYTE_KINDS.has(stripe.typeOf(columns.key).kind) &&
      columns.lastModifiedDate !== undefined &&
      TIMESTAMP_KINDS.has(stripe.typeOf(columns.lastModifiedDate).kind)
    if (!plain) {
      const values = asInventoryErrorSync(() => stripeValues(stripe, columns))
      for (let row = 0; row < stripe.rowCount; row++) {
        const outcome = outcomeOf(values, row)
        if (typeof outcome === 'object') batches.addRecord(outcome)
        else tally.accept(outcome, stripeStart + row + 1)
        if (batches.objects >= batchSize) yield batches.take()
      }
      continue
    }
    const { keys, sizes, times, isLatest, isDeleteMarker } = asInventoryErrorSync(() => ({
      keys: stripe.bytes(columns.key!),
      sizes: columns.size === undefined ? undefined : stripe.values(columns.size),
      times: stripe.epochMillis(columns.lastModifiedDate!),
      isLatest: columns.isLatest === undefined ? undefined : stripe.values(columns.isLatest),
      isDeleteMarker: columns.isDeleteMarker === undefined ? undefined : stripe.values(columns.isDeleteMarker),
    }))
    const { data, starts, ends } = keys
    const key = new KeyBytesScan()
    // The whole stripe's values, decoded only for a row that needs them (a wanted folder, the record path).
    let values: StripeValues | undefined
    const outcome = (row: number): ReturnType<typeof rowOutcome> => outcomeOf((values ??= asInventoryErrorSync(() => stripeValues(stripe, columns))), row)
    for (let row = 0; row < stripe.rowCount; row++) {
      if (batches.objects >= batchSize) {
        yield batches.take()
        await nextTurn()
      }
      const current = isLatest === undefined || isTrueFlag(isLatest[row])
      const deleteMarker = isDeleteMarker !== undefined && isTrueFlag(isDeleteMarker[row])
      // Only a current object's key is read (a null key is the record path's: missing_key).
      const start = starts[row]!
      if (current && !deleteMarker) key.scan(data, start, start < 0 ? start : ends[row]!)
      const size = sizeOf(sizes?.[row])
      const kind = classifyRollupRow(current, deleteMarker, key.length, key.invalid, size, rollupMillis(times[row]))
      if (kind === ROLL_UP_ROW) {
        const slot = sink.folders.addObject(data, start, key.folderEnd, size, times[row]!, key.folderHash)
        if (batches.rolledUp(slot)) batches.keep(outcome(row) as FileInfo, slot)
        continue
      }
      const result = kind === RECORD_PATH_ROW ? outcome(row) : kind
      if (typeof result === 'object') batches.addRecord(result)
      else tally.accept(result, stripeStart + row + 1)
    }
  }
  if (batches.objects > 0) yield batches.take()
}

const BYTE_KINDS = new Set(['string', 'varchar', 'char'])
const TIMESTAMP_KINDS = new Set(['timestamp', 'timestamp_instant'])

/** The file's own column name of each field read. */
type NeededColumns = Partial<Record<InventoryField, string>>
type StripeValues = Partial<Record<InventoryField, OrcValue[] | undefined>>

/**
 * Which top-level column holds each field: by the file's own names (`key`, `last_modified_date`); a
 * file whose columns are unnamed (`_col0`, `_col1`, ... as Hive writes) is read by position in the
 * manifest's `fileSchema` (`struct<bucket:string,key:string,...>`, parsed).
 */
function neededColumns(orc: OrcFile, context: DataFileReadContext, file: string): NeededColumns {
  const fields = orc.schema.fields ?? []
  const byField = new Map<InventoryField | undefined, string>()
  const unnamed = fields.length > 0 && fields.every((field) => /^_col\d+$/.test(field.name))
  const declared = unnamed ? parseFileSchema('ORC', context.manifest.fileSchema) : undefined
  for (const [index, field] of fields.entries()) {
    const inventoryField = declared ? declared[index]?.field : inventoryFieldOf(field.name)
    if (inventoryField !== undefined && isScalar(field.type) && !byField.has(inventoryField)) byField.set(inventoryField, field.name)
  }
  requireImportFields(byField.keys(), 'ORC', file)
  const columns: NeededColumns = {}
  for (const field of context.rollupOnly === true ? ROLLUP_READ_FIELDS : IMPORT_READ_FIELDS) {
    const column = byField.get(field)
    if (column !== undefined) columns[field] = column
  }
  return columns
}

function isScalar(type: OrcSchema): boolean {
  return type.kind !== 'struct' && type.kind !== 'list' && type.kind !== 'map' && type.kind !== 'union'
}

function outcomeOf(values: StripeValues, row: number): ReturnType<typeof rowOutcome> {
  const key = values.key?.[row]
  return rowOutcome(
    typeof key === 'string' ? key : '',
    sizeOf(values.size?.[row]),
    dateText(values.lastModifiedDate?.[row]),
    textOf(values.eTag?.[row]),
    textOf(values.storageClass?.[row]),
    values.isLatest === undefined ? undefined : String(values.isLatest[row] ?? ''),
    values.isDeleteMarker === undefined ? undefined : String(values.isDeleteMarker[row] ?? ''),
  )
}

function sizeOf(value: OrcValue | undefined): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : -1
}

/** A timestamp as ISO 8601 UTC; the reader already applied the writer's time zone (UTC for AWS). */
function dateText(value: OrcValue | undefined): string {
  if (value === null || typeof value !== 'object' || !('nanos' in value)) return ''
  const { seconds, nanos } = value as OrcTimestamp
  const ms = seconds * 1000 + Math.floor(nanos / 1e6)
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : ''
}

/** The ORC package's view of a {@link RandomAccessFile}. */
function orcAccessOf(file: RandomAccessFile): { size: number; read(offset: number, length: number): Promise<Uint8Array> } {
  return { size: file.size, read: (offset, length) => file.read(offset, length) }
}

/** Runs `action`, turning the ORC package's errors into InventoryErrors with the same code and file. */
async function asInventoryError<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    throw inventoryErrorOf(error)
  }
}

/** {@link asInventoryError} for work that does not wait (decoding a stripe's columns). */
function asInventoryErrorSync<T>(action: () => T): T {
  try {
    return action()
  } catch (error) {
    throw inventoryErrorOf(error)
  }
}

function inventoryErrorOf(error: unknown): unknown {
  if (isInventoryError(error)) return error
  if (error instanceof OrcError) return new InventoryError(error.code, error.message, { file: error.file, cause: error })
  return error
}
