import { createHash, randomUUID } from 'node:crypto'

/** Prefixes of generated ids, so an id says what it names (`con_…` is a connector). */
export type IdPrefix = 'con' | 'col' | 'imp' | 'job' | 'fld'

/** A new random id such as `col_3f2a…` (prefix + 32 hex digits). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`
}

/**
 * The id of a folder of a connector's bucket: `fld_` + 32 hex digits of a SHA-256 of both. Folders are
 * replaced wholesale by every import, so their id is derived, not stored: the same folder has the
 * same id across imports, and different connectors' folders of the same path differ.
 */
export function folderGuid(connectorId: string, path: string): string {
  return `fld_${createHash('sha256').update(connectorId, 'utf8').update('\0').update(path, 'utf8').digest('hex').slice(0, 32)}`
}
