// A Parquet data file as the reader walks it: staged, its footer checked and read, the columns the
// import needs found, then one row group at a time within the reader's memory bound.
import { type AsyncBuffer, type FileMetaData, type SchemaElement, parquetMetadataAsync } from 'hyparquet'
import { decompressZstdBounded } from '@shuttersense/inventory-orc'
import { compressors } from 'hyparquet-compressors'
import { InventoryError, isInventoryError } from '../errors.js'
import type { RandomAccessFile } from '../io/random-access-file.js'
import { type InventoryField, inventoryFieldOf, requireImportFields } from '../parse/file-schema.js'
import type { DataFileReadContext } from '../pipeline/data-file-reader.js'
import { IMPORT_READ_FIELDS, ROLLUP_READ_FIELDS } from './read-fields.js'

/** One row group of a data file, decoded by the caller's `decode`. */
interface DecodedRowGroup<T> {
  data: T
  /** Rows before this group in the file. */
  groupStart: number
  groupRows: number
}

/** What decoding one row group needs. */
export interface RowGroupSource {
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
export async function* decodeRowGroups<T>(
  context: DataFileReadContext,
  maxRowGroupBytes: number,
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
    let groupStart = 0
    for (const [index, group] of metadata.row_groups.entries()) {
      const groupRows = Number(group.num_rows)
      checkRowGroupSize(group.columns, columns, index, maxRowGroupBytes, name)
      const data = await corruptOnFailure(name, () => decode({ file, buffer, metadata, columns, index, groupStart, groupRows }))
      yield { data, groupStart, groupRows }
      groupStart += groupRows
    }
  } finally {
    await file.close()
  }
}

/** The file's own column name of each field read (from the file's schema, not the manifest's). */
export type NeededColumns = Partial<Record<InventoryField, string>>

/** The columns the import reads (fewer with `rollupOnly`), by the file's own names; a file without Key, Size or LastModifiedDate is refused. */
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
export function topLevelColumns(schema: readonly SchemaElement[]): SchemaElement[] {
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

/**
 * hyparquet's decompressors, with ZSTD held to the page's declared size: a damaged frame header would
 * otherwise make the decompressor allocate what it claims (up to 2 GiB).
 */
export const BOUNDED_COMPRESSORS = { ...compressors, ZSTD: (input: Uint8Array, length: number) => decompressZstdBounded(input, length) }

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
