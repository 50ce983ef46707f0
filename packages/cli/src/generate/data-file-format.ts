import type { InventoryFileFormat } from '@shuttersense/inventory-core/types'
import { decodeInventoryKey, INVENTORY_FIELDS, type InventoryField } from '@shuttersense/inventory-core/internal'

/** What a data file of the generator reports once written: its manifest entry. */
export interface WrittenDataFile {
  key: string
  size: number
  MD5checksum: string
}

/**
 * Writes one data file. The generator hands every format the same rows, as the CSV lines AWS writes
 * (every field quoted, the key form-URL-encoded, one row per line, `\n` after each): a format other
 * than CSV converts them (`parseGeneratedRow`), so the same inventory comes out in each format.
 */
export interface DataFileWriter {
  readonly key: string
  /** Whole lines, each ending in `\n`. */
  write(lines: string): Promise<void>
  close(): Promise<WrittenDataFile>
}

/** A format the generator writes: `generate --format NAME`. */
export interface GeneratedFormat {
  /** The manifest's `fileFormat`. */
  fileFormat: InventoryFileFormat
  /** Data file name suffix (`.csv.gz`). */
  extension: string
  /** The manifest's `fileSchema`, as AWS writes it for this format. */
  fileSchema(versioned: boolean): string
  /** Opens the data file `key` under the bucket copy `out`. */
  createWriter(out: string, key: string, versioned: boolean): DataFileWriter
}

/**
 * Every field AWS writes after the key and version fields, by its canonical name, in the order of the
 * real reports (fixtures/aws-inventory/): core's field list from `size` to `checksumAlgorithm`.
 */
export const OBJECT_FIELDS: readonly InventoryField[] = INVENTORY_FIELDS.slice(
  INVENTORY_FIELDS.indexOf('size'),
  INVENTORY_FIELDS.indexOf('checksumAlgorithm') + 1,
)

/** The fields of a generated report, in order. */
export function reportFields(versioned: boolean): readonly string[] {
  return ['bucket', 'key', ...(versioned ? ['versionId', 'isLatest', 'isDeleteMarker'] : []), ...OBJECT_FIELDS]
}

/**
 * Splits one of the generator's CSV lines into its fields. They never hold a quote or a comma (the key
 * is URL-encoded, the other fields are plain), so `","` separates them.
 */
export function parseGeneratedRow(line: string): string[] {
  return line.slice(1, -1).split('","')
}

/** How Parquet and ORC type a field: the rest are strings. */
export type FieldKind = 'string' | 'boolean' | 'int64' | 'timestamp'

/** The type of each field, as in AWS's Parquet and ORC reports (fixtures/aws-inventory/*_manifest.json). */
const KIND_OF: Partial<Record<string, FieldKind>> = {
  isLatest: 'boolean',
  isDeleteMarker: 'boolean',
  isMultipartUploaded: 'boolean',
  size: 'int64',
  lastModifiedDate: 'timestamp',
  objectLockRetainUntilDate: 'timestamp',
}
export const kindOf = (field: string): FieldKind => KIND_OF[field] ?? 'string'

/** The column name Parquet and ORC reports use (`last_modified_date`). */
export const snakeName = (field: string): string => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

/**
 * A generated CSV field as the typed value AWS writes in Parquet and ORC: empty is null, the key decoded,
 * integers as numbers, timestamps as epoch milliseconds.
 */
export function typedFieldValue(field: string, text: string | undefined): string | number | boolean | null {
  if (text === undefined || (text === '' && field !== 'key')) return null
  switch (field === 'key' ? 'key' : kindOf(field)) {
    case 'key':
      // A key whose encoding is broken (a malformed row) has no plain form: empty, which an import skips.
      return decodeInventoryKey(text) ?? ''
    case 'boolean':
      return text === 'true'
    case 'int64':
      return /^\d+$/.test(text) ? Number(text) : null
    case 'timestamp': {
      const ms = Date.parse(text)
      return Number.isNaN(ms) ? null : ms
    }
    default:
      return text
  }
}
