import { type OrcFile, type OrcSchema, type OrcTimestamp, type OrcValue, OrcError, openOrcFile } from '@shuttersense/inventory-orc'
import { InventoryError, isInventoryError } from '../errors.js'
import type { RandomAccessFile } from '../io/random-access-file.js'
import { type InventoryField, inventoryFieldOf, parseFileSchema, requireImportFields } from '../parse/file-schema.js'
import { rowOutcome } from '../parse/record-fields.js'
import { IMPORT_READ_FIELDS, ROLLUP_READ_FIELDS, textOf } from './read-fields.js'
import { RowTally } from '../parse/row-tally.js'
import type { DataFileReadContext, DataFileReader } from '../pipeline/data-file-reader.js'
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
  return (context) => readOrcDataFile(context, options)
}

/** The ORC reader with default options. */
export const readOrcData: DataFileReader = createOrcReader()

async function* readOrcDataFile(context: DataFileReadContext, options: OrcReaderOptions): AsyncGenerator<FileInfo[]> {
  const name = context.file.key
  const file = await context.openFile()
  try {
    const orc = await asInventoryError(() => openOrcFile(orcAccessOf(file), { name }))
    const columns = neededColumns(orc, context, name)
    const batchSize = options.batchSize ?? 8192
    const tally = new RowTally(context.counts, name)
    const wanted = Object.values(columns)
    let stripeStart = 0
    for (let index = 0; index < orc.stripes.length; index++) {
      const stripe = await asInventoryError(() => orc.readStripe(index, { columns: wanted, maxStripeBytes: options.maxStripeBytes }))
      const values: StripeValues = {}
      for (const [field, column] of Object.entries(columns)) values[field as InventoryField] = stripe.columns[column]
      for (let row = 0; row < stripe.rowCount; row++) {
        tally.accept(outcomeOf(values, row), stripeStart + row + 1)
        if (tally.batch.length >= batchSize) yield tally.take()
      }
      stripeStart += stripe.rowCount
      if (tally.batch.length > 0) yield tally.take()
    }
  } finally {
    await file.close()
  }
}

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
    if (isInventoryError(error)) throw error
    if (error instanceof OrcError) throw new InventoryError(error.code, error.message, { file: error.file, cause: error })
    throw error
  }
}
