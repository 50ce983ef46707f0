import { z } from 'zod'
import type { InventoryFileFormat } from './inventory-manifest.js'

export type { InventoryFileFormat, InventoryManifest, ManifestDataFile } from './inventory-manifest.js'

const md5Hex = z.string().regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hexadecimal digits (an MD5)')

/** One data file listed by `manifest.json` (infers {@link ManifestDataFile}: manifest.test.ts checks that they agree). */
export const manifestFileSchema = z.looseObject({
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  MD5checksum: md5Hex,
})

/**
 * The shape of an S3 Inventory `manifest.json`. Unknown fields are kept (AWS adds fields over time).
 * `fileFormat` is normalised to `CSV`, `ORC` or `Parquet` whatever its case.
 */
export const manifestSchema = z.looseObject({
  sourceBucket: z.string().min(1),
  destinationBucket: z.string().min(1),
  version: z.string().min(1),
  creationTimestamp: z.string().regex(/^\d+$/, 'must be milliseconds since the epoch, as a string'),
  fileFormat: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(['CSV', 'ORC', 'PARQUET']))
    .transform((value) => (value === 'PARQUET' ? 'Parquet' : value) as InventoryFileFormat),
  fileSchema: z.string().min(1),
  files: z.array(manifestFileSchema),
})
