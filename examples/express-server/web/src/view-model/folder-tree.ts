/**
 * The folder tree as rows: which folders show (the expanded levels, depth first, each level sorted), and
 * selection ranges over them. Pure, so a 10,000-folder level is tested without a browser.
 */
import type { Folder } from '../api/types.js'

export type SortKey = 'name' | 'count' | 'size' | 'date'
export interface SortOrder {
  key: SortKey
  descending: boolean
}
/** Subtree figures (the folder and everything under it) or the folder's direct objects only. */
export type Figures = 'subtree' | 'direct'

/** One level of the tree as loaded: its folders' paths in the server's (path) order. */
export interface Level {
  paths: string[]
  /** Every page is loaded. */
  complete: boolean
  error: string | null
}

export type TreeRow =
  | { kind: 'folder'; path: string; level: number; posInSet: number; setSize: number; expanded: boolean }
  | { kind: 'loading'; parent: string; level: number }
  | { kind: 'error'; parent: string; level: number; message: string }

/** `2020/Wedding/` -> `Wedding`. */
export function folderName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}

/** `2020/Wedding/` -> `2020/`; a top-level folder's parent is ``. */
export function parentOf(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  const cut = trimmed.lastIndexOf('/')
  return cut < 0 ? '' : trimmed.slice(0, cut + 1)
}

/** Depth of a folder: `2020/` is 1, `2020/Wedding/` 2. */
export const depthOf = (path: string): number => path.split('/').length - 1

export const objectCountOf = (folder: Folder, figures: Figures): number => (figures === 'direct' ? folder.directObjectCount : folder.objectCount)
export const sizeOf = (folder: Folder, figures: Figures): number => (figures === 'direct' ? folder.directSizeBytes : folder.totalSizeBytes)

/**
 * `paths` sorted by `order`. Name order is the server's own path order, so it costs nothing; the others
 * sort by the figure, then by path, so equal figures keep a stable order.
 */
export function sortPaths(paths: readonly string[], folders: ReadonlyMap<string, Folder>, order: SortOrder, figures: Figures): string[] {
  if (order.key === 'name') return order.descending ? [...paths].reverse() : [...paths]
  const value = (path: string): number => {
    const folder = folders.get(path)
    if (!folder) return 0
    if (order.key === 'count') return objectCountOf(folder, figures)
    if (order.key === 'size') return sizeOf(folder, figures)
    return folder.lastModified ? Date.parse(folder.lastModified) : 0
  }
  const keyed = paths.map((path, index) => ({ path, index, value: value(path) }))
  const sign = order.descending ? -1 : 1
  keyed.sort((a, b) => (a.value - b.value) * sign || a.index - b.index)
  return keyed.map((entry) => entry.path)
}

/**
 * The rows to show: the top level, and under each expanded folder its level (a `loading` row while its
 * first page is on the way or more pages follow, an `error` row when it failed), depth first.
 */
export function flattenTree(sorted: ReadonlyMap<string, readonly string[]>, levels: ReadonlyMap<string, Level>, expanded: ReadonlySet<string>, root = ''): TreeRow[] {
  const rows: TreeRow[] = []
  const walk = (parent: string, level: number): void => {
    const meta = levels.get(parent)
    const paths = sorted.get(parent) ?? []
    paths.forEach((path, i) => {
      const open = expanded.has(path)
      rows.push({ kind: 'folder', path, level, posInSet: i + 1, setSize: paths.length, expanded: open })
      if (open) walk(path, level + 1)
    })
    if (meta?.error) rows.push({ kind: 'error', parent, level, message: meta.error })
    else if (!meta || !meta.complete) rows.push({ kind: 'loading', parent, level })
  }
  walk(root, 1)
  return rows
}

/** The folder paths of the rows from `from` to `to` (either order), for a shift-click or shift-arrow range. */
export function rangeBetween(rows: readonly TreeRow[], from: string, to: string): string[] {
  const index = (path: string) => rows.findIndex((row) => row.kind === 'folder' && row.path === path)
  const a = index(from)
  const b = index(to)
  if (a < 0 || b < 0) return b < 0 ? [] : [to]
  const [start, end] = a <= b ? [a, b] : [b, a]
  return rows.slice(start, end + 1).flatMap((row) => (row.kind === 'folder' ? [row.path] : []))
}

/** The row a key moves the focus to (index into `rows`), or null when the key is not a move. */
export function moveFocus(rows: readonly TreeRow[], index: number, key: string, pageSize: number): number | null {
  const last = rows.length - 1
  const folderAt = (i: number, step: 1 | -1): number => {
    for (let j = i; j >= 0 && j <= last; j += step) if (rows[j]!.kind === 'folder') return j
    return index
  }
  switch (key) {
    case 'ArrowDown':
      return folderAt(Math.min(last, index + 1), 1)
    case 'ArrowUp':
      return folderAt(Math.max(0, index - 1), -1)
    case 'Home':
      return folderAt(0, 1)
    case 'End':
      return folderAt(last, -1)
    case 'PageDown':
      return folderAt(Math.min(last, index + pageSize), -1)
    case 'PageUp':
      return folderAt(Math.max(0, index - pageSize), 1)
    default:
      return null
  }
}
