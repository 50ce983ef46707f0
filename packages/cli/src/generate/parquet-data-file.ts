import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { ParquetWriter, fileWriter, type ColumnSource } from 'hyparquet-writer'
import type { DataFileWriter, GeneratedFormat, WrittenDataFile } from './data-file-format.js'
import { kindOf, parseGeneratedRow, reportFields, snakeName, typedFieldValue } from './data-file-format.js'

/**
 * Rows per row group. AWS's writer (parquet-mr) closes a row group at 128 MB of buffered data, which is
 * a few hundred thousand inventory rows; 100,000 keeps the reader's memory per row group (its needed
 * columns decoded) at some tens of MB.
 */
export const PARQUET_ROW_GROUP_ROWS = 100_000

const required = (field: string): boolean => field === 'bucket' || field === 'key'

/** The `message s3.inventory { ... }` line AWS puts in a Parquet manifest's `fileSchema`. */
function parquetMessage(versioned: boolean): string {
  const declare = (field: string): string => {
    const kind = kindOf(field)
    const type = kind === 'string' ? 'binary' : kind === 'boolean' ? 'boolean' : 'int64'
    const annotation = kind === 'string' ? ' (STRING)' : kind === 'timestamp' ? ' (TIMESTAMP(MILLIS,true))' : ''
    return `  ${required(field) ? 'required' : 'optional'} ${type} ${snakeName(field)}${annotation};`
  }
  return `message s3.inventory {${reportFields(versioned).map(declare).join('')}}`
}

/** Parquet as AWS writes it: Snappy, `key`/`bucket` required and the rest optional, nulls for absent values. */
export const PARQUET_FORMAT: GeneratedFormat = {
  fileFormat: 'Parquet',
  extension: '.parquet',
  fileSchema: parquetMessage,
  createWriter: (out, key, versioned) => new ParquetDataFileWriter(out, key, versioned),
}

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]['schema'][number]

function schemaElement(field: string): SchemaElement {
  const name = snakeName(field)
  const repetition_type = required(field) ? 'REQUIRED' : 'OPTIONAL'
  switch (kindOf(field)) {
    case 'string':
      return { name, type: 'BYTE_ARRAY', repetition_type, converted_type: 'UTF8', logical_type: { type: 'STRING' } }
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type }
    case 'int64':
      return { name, type: 'INT64', repetition_type }
    case 'timestamp':
      return {
        name,
        type: 'INT64',
        repetition_type,
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      }
  }
}

/** A generated field as the Parquet value AWS would have written: integers and timestamps as INT64. */
function parquetValue(field: string, text: string | undefined): unknown {
  const value = typedFieldValue(field, text)
  return typeof value === 'number' ? BigInt(value) : value
}

class ParquetDataFileWriter implements DataFileWriter {
  private readonly file: string
  private readonly fields: readonly string[]
  private readonly writer: ParquetWriter
  private columns: unknown[][]
  private carry = ''

  constructor(
    out: string,
    readonly key: string,
    versioned: boolean,
  ) {
    this.file = path.join(out, key)
    mkdirSync(path.dirname(this.file), { recursive: true })
    this.fields = reportFields(versioned)
    this.columns = this.fields.map(() => [])
    this.writer = new ParquetWriter({
      writer: fileWriter(this.file),
      schema: [{ name: 's3.inventory', num_children: this.fields.length }, ...this.fields.map(schemaElement)],
      codec: 'SNAPPY',
      createdBy: 'shuttersense-inventory generate',
    })
  }

  async write(text: string): Promise<void> {
    const lines = (this.carry + text).split('\n')
    this.carry = lines.pop() ?? ''
    for (const line of lines) {
      const values = parseGeneratedRow(line)
      // A row with too few fields (a malformed row) keeps its key; what is missing is null.
      this.fields.forEach((field, index) => this.columns[index]!.push(parquetValue(field, values[index])))
      if (this.columns[0]!.length >= PARQUET_ROW_GROUP_ROWS) this.flush()
    }
  }

  private flush(): void {
    const rows = this.columns[0]!.length
    if (rows === 0) return
    const columnData = this.fields.map(
      (field, index): ColumnSource => ({ name: snakeName(field), data: this.columns[index] as ColumnSource['data'] }),
    )
    this.writer.write({ columnData, rowGroupSize: rows })
    this.columns = this.fields.map(() => [])
  }

  async close(): Promise<WrittenDataFile> {
    this.flush()
    this.writer.finish()
    const hash = createHash('md5')
    for await (const chunk of createReadStream(this.file)) hash.update(chunk as Buffer)
    return { key: this.key, size: statSync(this.file).size, MD5checksum: hash.digest('hex') }
  }
}
