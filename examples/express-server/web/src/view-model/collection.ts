import type { Collection, Delta, DeltaType, FileInfo } from '../api/types.js'
import { formatAge, formatCount, shownOf } from './format.js'

/** Cached FileInfo older than this is flagged (PRD risk 3: a weekly inventory plus a day's margin). */
export const STALE_AFTER_MS = 8 * 86_400_000

/** Where the collection's FileInfo came from and how old it is: "updated from inventory 3 days ago". */
export function fileInfoAge(collection: Pick<Collection, 'fileInfoSource' | 'fileInfoUpdatedAt'>, now: Date): { text: string; stale: boolean } {
  const { fileInfoSource: source, fileInfoUpdatedAt: at } = collection
  if (source === null || at === null) return { text: 'No FileInfo yet: the next import (or Refresh from S3) fills it.', stale: false }
  const how = source === 'inventory' ? 'updated from inventory' : 'refreshed from S3 (live listing)'
  const stale = now.getTime() - Date.parse(at) > STALE_AFTER_MS
  return { text: `${how} ${formatAge(at, now)}`, stale }
}

/** `12 new, 3 modified, 1 deleted (2,000 unchanged)`; a baseline says so. */
export function deltaSummary(delta: Pick<Delta, 'counts' | 'baseline'>): string {
  const { counts } = delta
  if (delta.baseline) return `First import: ${formatCount(counts.new)} files (baseline, no changes listed)`
  return `${formatCount(counts.new)} new, ${formatCount(counts.modified)} modified, ${formatCount(counts.deleted)} deleted (${formatCount(counts.unchanged)} unchanged)`
}

/** One changed file of a delta, as the detail list shows it. */
export interface DeltaEntry {
  type: DeltaType
  key: string
  size: number
  /** For a modified file: its size before. */
  sizeBefore?: number | undefined
  lastModified: string
}

/** The delta's changed files of `type` (all types by default), new then modified then deleted. */
export function deltaEntries(delta: Pick<Delta, 'new' | 'modified' | 'deleted'>, type?: DeltaType): DeltaEntry[] {
  const file = (t: DeltaType) => (f: FileInfo): DeltaEntry => ({ type: t, key: f.key, size: f.size, lastModified: f.lastModified })
  const entries: DeltaEntry[] = []
  if (!type || type === 'new') entries.push(...delta.new.map(file('new')))
  if (!type || type === 'modified') entries.push(...delta.modified.map((m) => ({ type: 'modified' as const, key: m.key, size: m.after.size, sizeBefore: m.before.size, lastModified: m.after.lastModified })))
  if (!type || type === 'deleted') entries.push(...delta.deleted.map(file('deleted')))
  return entries
}

/** "1,000 of 3,399 shown" for the chosen type (or all): the stored lists hold at most deltaListLimit each. */
export function deltaShown(delta: Pick<Delta, 'counts' | 'new' | 'modified' | 'deleted'>, type?: DeltaType): string {
  const total = type ? delta.counts[type] : delta.counts.new + delta.counts.modified + delta.counts.deleted
  return shownOf(deltaEntries(delta, type).length, total)
}

/** A key relative to the collection's folder (the folder itself is in the heading). */
export const relativeKey = (key: string, folderPath: string): string => (key.startsWith(folderPath) ? key.slice(folderPath.length) : key)
