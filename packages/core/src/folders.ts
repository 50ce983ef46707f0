import type { FileInfo, FolderSummary } from './types.js'

interface DirectFigures {
  count: number
  bytes: number
  lastModified: string
}

/** One folder's direct figures as a tuple: folder path, objects, bytes, newest last-modified. */
export type DirectFolderFigures = [folder: string, count: number, bytes: number, lastModified: string]

/** The folder an object sits directly in (`a/b/c.jpg` -> `a/b/`), or `''` at the bucket root. */
export function directFolderOf(key: string): string {
  const slash = key.lastIndexOf('/')
  return slash < 0 ? '' : key.slice(0, slash + 1)
}

/** Every folder from the top down to `folder` itself: `a/b/` -> [`a/`, `a/b/`]. */
export function foldersDownTo(folder: string): string[] {
  const folders: string[] = []
  let slash = folder.indexOf('/')
  while (slash >= 0) {
    folders.push(folder.slice(0, slash + 1))
    slash = folder.indexOf('/', slash + 1)
  }
  return folders
}

/** A copy that does not keep a larger parent string alive (V8 may share memory for slices). */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8')
}

/**
 * Streaming folder rollup. Objects are added one batch at a time; memory grows with the number of
 * folders, never with the number of objects. Reports are often sorted by key within a data file, so the
 * previous object's folder is remembered and most objects skip the map lookup.
 */
export class FolderAccumulator {
  private readonly direct = new Map<string, DirectFigures>()
  private previousFolder: string | undefined
  private previousFigures: DirectFigures | undefined
  /** Objects and bytes of the whole inventory, bucket root included. */
  objectCount = 0
  totalSizeBytes = 0

  /**
   * Adds a batch of objects. `visit`, when given, is called with each object and its folder (`''` at the
   * bucket root); consecutive objects of one folder get the very same string, so a caller can cache by it.
   */
  add(records: readonly FileInfo[], visit?: (record: FileInfo, folder: string) => void): void {
    let folder = this.previousFolder ?? ''
    let figures = this.previousFigures
    for (const record of records) {
      const key = record.key
      const end = key.lastIndexOf('/') + 1
      this.objectCount++
      this.totalSizeBytes += record.size
      // `substring` + `===` is several times cheaper than `startsWith` for the common same-folder case.
      if (figures === undefined || folder.length !== end || key.substring(0, end) !== folder) {
        folder = end === 0 ? '' : detached(key.substring(0, end))
        figures = undefined
        if (end > 0) {
          figures = this.direct.get(folder)
          if (figures === undefined) {
            figures = { count: 0, bytes: 0, lastModified: '' }
            this.direct.set(folder, figures)
          }
        }
      }
      if (figures !== undefined) {
        figures.count++
        figures.bytes += record.size
        if (record.lastModified > figures.lastModified) figures.lastModified = record.lastModified
      }
      visit?.(record, folder)
    }
    this.previousFolder = folder
    this.previousFigures = figures
  }

  /** Every folder's direct figures as plain tuples, to move a rollup between threads (see {@link mergeDirect}). */
  exportDirect(): DirectFolderFigures[] {
    return [...this.direct].map(([folder, figures]) => [folder, figures.count, figures.bytes, figures.lastModified])
  }

  /** Adds a rollup made elsewhere: its {@link exportDirect} tuples and its whole-inventory totals. */
  mergeDirect(entries: readonly DirectFolderFigures[], objectCount: number, totalSizeBytes: number): void {
    this.objectCount += objectCount
    this.totalSizeBytes += totalSizeBytes
    for (const [folder, count, bytes, lastModified] of entries) {
      const figures = this.direct.get(folder)
      if (figures === undefined) {
        this.direct.set(folder, { count, bytes, lastModified })
        continue
      }
      figures.count += count
      figures.bytes += bytes
      if (lastModified > figures.lastModified) figures.lastModified = lastModified
    }
  }

  /** Forgets the per-folder figures (totals stay): call once the summaries are taken, to free them early. */
  releaseFolders(): void {
    this.direct.clear()
    this.previousFolder = undefined
    this.previousFigures = undefined
  }

  /** Number of folders that hold an object directly. */
  get directFolderCount(): number {
    return this.direct.size
  }

  /**
   * Every folder with its direct and subtree figures, sorted by path. Folders that hold no object
   * directly but have descendants are included (with direct figures of zero).
   */
  summaries(): FolderSummary[] {
    return sortByKey([...this.walkSummaries(false)], (summary) => summary.path)
  }

  /**
   * The {@link summaries}, one at a time as each folder's subtree is complete (a folder after its
   * subfolders, not sorted), forgetting each folder's figures as it is reached and the rest at the end
   * as {@link releaseFolders} does. Nothing but the per-folder figures and one branch of the folder tree
   * is held: a store can write the summaries as they come.
   */
  takeSummaries(): Generator<FolderSummary> {
    return this.walkSummaries(true)
  }

  /**
   * Walks the folders in path order with a stack of the open branch: in that order a folder's
   * subfolders come right after it, so a folder is complete when the walk leaves its prefix.
   */
  private *walkSummaries(consume: boolean): Generator<FolderSummary> {
    const branch: FolderSummary[] = []
    /** Closes the deepest open folder, adding its subtree figures to its parent's. */
    const close = (): FolderSummary => {
      const done = branch.pop()!
      const parent = branch.at(-1)
      if (parent !== undefined) addSubtree(parent, done.objectCount, done.totalSizeBytes, done.lastModified)
      return done
    }
    try {
      for (const folder of sortByKey([...this.direct.keys()], (path) => path)) {
        const figures = this.direct.get(folder)!
        if (consume) this.direct.delete(folder)
        while (branch.length > 0 && !folder.startsWith(branch.at(-1)!.path)) yield close()
        // Open the folders from the deepest open one down to this one (ancestors without objects of their own included).
        for (let slash = folder.indexOf('/', branch.at(-1)?.path.length ?? 0); slash >= 0; slash = folder.indexOf('/', slash + 1)) {
          branch.push({
            path: folder.slice(0, slash + 1),
            objectCount: 0,
            totalSizeBytes: 0,
            directObjectCount: 0,
            directSizeBytes: 0,
            lastModified: null,
          })
        }
        const own = branch.at(-1)!
        own.directObjectCount = figures.count
        own.directSizeBytes = figures.bytes
        addSubtree(own, figures.count, figures.bytes, figures.lastModified)
      }
      while (branch.length > 0) yield close()
    } finally {
      if (consume) this.releaseFolders()
    }
  }
}

function addSubtree(summary: FolderSummary, count: number, bytes: number, lastModified: string | null): void {
  summary.objectCount += count
  summary.totalSizeBytes += bytes
  if (lastModified !== null && (summary.lastModified === null || lastModified > summary.lastModified)) {
    summary.lastModified = lastModified
  }
}

const SURROGATE = /[\uD800-\uDFFF]/

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff
}

/**
 * Orders keys by Unicode code point, which is UTF-8 byte order: the order every store returns keys in.
 * JavaScript's `<` compares UTF-16 code units, which puts characters beyond U+FFFF (emoji) before
 * U+E000–U+FFFF; this does not. Never locale-dependent.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0
  const length = Math.min(a.length, b.length)
  let i = 0
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++
  if (i === length) return a.length < b.length ? -1 : 1
  const x = a.charCodeAt(i)
  const y = b.charCodeAt(i)
  // A surrogate starts a character beyond U+FFFF, which is above any single code unit.
  if (isSurrogate(x) !== isSurrogate(y)) return isSurrogate(x) ? 1 : -1
  return x < y ? -1 : 1
}

/**
 * Sorts in place by {@link compareKeys}. Keys without surrogates (nearly all) sort the same by code unit,
 * so the native comparison is used when no key has one.
 */
export function sortByKey<T>(items: T[], keyOf: (item: T) => string): T[] {
  const exact = items.some((item) => SURROGATE.test(keyOf(item)))
  if (exact) return items.sort((p, q) => compareKeys(keyOf(p), keyOf(q)))
  return items.sort((p, q) => {
    const a = keyOf(p)
    const b = keyOf(q)
    return a < b ? -1 : a > b ? 1 : 0
  })
}
