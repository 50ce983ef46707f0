import { randomUUID } from 'node:crypto'

/** Prefixes of generated ids, so an id says what it names (`con_…` is a connector). */
export type IdPrefix = 'con' | 'col' | 'imp' | 'job' | 'fld'

/** A new random id such as `col_3f2a…` (prefix + 32 hex digits). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`
}
