import { CSV_FORMAT } from './csv-data-file.js'
import type { GeneratedFormat } from './data-file-format.js'
import { ORC_FORMAT } from './orc-data-file.js'
import { PARQUET_FORMAT } from './parquet-data-file.js'

/**
 * The formats `generate --format` writes, by name. A new format is one entry here (a
 * {@link GeneratedFormat} that turns the generator's rows into its data files).
 */
export const GENERATED_FORMATS = {
  csv: CSV_FORMAT,
  parquet: PARQUET_FORMAT,
  orc: ORC_FORMAT,
} satisfies Record<string, GeneratedFormat>

export type GeneratedFormatName = keyof typeof GENERATED_FORMATS

/** The name of a format `generate` writes, or `undefined`. */
export function generatedFormatNamed(name: string): GeneratedFormatName | undefined {
  return Object.hasOwn(GENERATED_FORMATS, name) ? (name as GeneratedFormatName) : undefined
}
