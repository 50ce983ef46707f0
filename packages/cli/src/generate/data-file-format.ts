import { type InventoryFileFormat } from '@shuttersense/inventory-core'
import { INVENTORY_FIELDS, type InventoryField } from '@shuttersense/inventory-core/internal'

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
