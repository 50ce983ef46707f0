import { FolderSlots } from './folder-slots.js'
import { civilMillis } from './iso-time.js'
import type { FileInfo, FolderSummary } from './types.js'

/**
 * A rollup's direct figures per folder, to move it between threads (see
 * {@link FolderAccumulator.takeDirect}): folder `i` (of the first `size`) has the path whose UTF-8 text
 * is `paths[pathEnds[i - 1] ?? 0, pathEnds[i])`, and objects, bytes and newest last-modified (epoch
 * milliseconds, -Infinity for none) at `figures[3i]`, `[3i + 1]`, `[3i + 2]`. The arrays are the
 * rollup's own, room to grow included: they move between threads as they are, with no copy.
 */
export interface DirectFolderFigures {
  size: number
  paths: Uint8Array<ArrayBuffer>
  pathEnds: Int32Array<ArrayBuffer>
  figures: Float64Array<ArrayBuffer>
  /** Objects and bytes of the whole part, bucket root included. */
  objectCount: number
  totalSizeBytes: number
}

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

/**
 * Streaming folder rollup. Objects are added one batch at a time; memory grows with the number of
 * folders, never with the number of objects. Keys are in no order in a real report, so every object
 * may be in another folder than the one before: folders are numbered by their paths' bytes
 * ({@link FolderSlots}), which a reader of raw data file bytes gives with {@link addObject}, and dates
 * are compared as epoch milliseconds. Sorted input still skips the lookup for objects of the same folder
 * as the one before.
 *
 * Each folder's direct figures are three numbers side by side in one array (objects, bytes, newest
 * last-modified as epoch milliseconds) rather than an object with a date string: at 300k folders the
 * heap holds 26 MB less, every full garbage collection visits up to three fewer objects per folder, and
 * an object on unordered input touches one cache line of figures, not three.
 */
export class FolderAccumulator {
  private slots = new FolderSlots()
  /** Objects, bytes and newest last-modified of slot `s` at `FIGURES * s` + 0, 1, 2 (see {@link emptyFigures}). */
  private figures = emptyFigures(1024)
  private previousFolder = ''
  /** Slot of `previousFolder`, -1 for the bucket root (which has no slot). */
  private previousSlot = -1
  /** Folders {@link takeSummaries} has reached. */
  private taken = 0
  /** Objects and bytes of the whole inventory, bucket root included. */
  objectCount = 0
  totalSizeBytes = 0

  /**
   * Adds a batch of objects (last-modified as ISO 8601 text, as the readers give it). `visit`, when given,
   * is called with each object, its folder (`''` at the bucket root) and the folder's slot (-1 at the
   * root; a slot names one folder until {@link releaseFolders}), so a caller can keep per-folder data by slot.
   */
  add(records: readonly FileInfo[], visit?: (record: FileInfo, folder: string, slot: number) => void): void {
    let folder = this.previousFolder
    let slot = this.previousSlot
    let runSlot = -1
    let runNewest = ''
    for (const record of records) {
      const key = record.key
      const end = key.lastIndexOf('/') + 1
      this.objectCount++
      this.totalSizeBytes += record.size
      // `substring` + `===` is several times cheaper than `startsWith` for the common same-folder case.
      if (folder.length !== end || (slot < 0 && end > 0) || key.substring(0, end) !== folder) {
        folder = key.substring(0, end)
        slot = end === 0 ? -1 : this.slotFor(this.slots.slotOfName(folder))
      }
      if (slot >= 0) {
        const at = FIGURES * slot
        this.figures[at]!++
        this.figures[at + 1]! += record.size
        // Canonical ISO text of a 4-digit year (24 characters) orders as time does: within a run of one
        // folder's objects (sorted input) only a newer text than the run's newest needs converting. An
        // expanded year (`+010000-…`, `-000001-…`) does not order as text, so it is always converted.
        const lastModified = record.lastModified
        if (slot !== runSlot || lastModified.length !== 24 || lastModified > runNewest) {
          runNewest = lastModified
          runSlot = slot
          const time = isoMillis(lastModified)
          if (time > this.figures[at + 2]!) this.figures[at + 2] = time
        }
      }
      visit?.(record, folder, slot)
    }
    this.previousFolder = folder
    this.previousSlot = slot
  }

  /**
   * Adds one object by its folder path's UTF-8 bytes, `path[start, end)` (empty at the bucket root), and
   * its last-modified as epoch milliseconds: what a reader of raw data file bytes gives, with no string.
   * Returns the folder's slot (-1 at the root), as {@link add}'s `visit` gets it. `pathHash`: the
   * path's `pathHash` (folder-slots.ts), when the caller computed it on the way.
   */
  addObject(path: Uint8Array, start: number, end: number, size: number, lastModified: number, pathHash?: number): number {
    this.objectCount++
    this.totalSizeBytes += size
    if (end === start) return -1
    const slot = this.slotFor(this.slots.slotOf(path, start, end, pathHash))
    const figures = this.figures
    const at = FIGURES * slot
    figures[at]!++
    figures[at + 1]! += size
    if (lastModified > figures[at + 2]!) figures[at + 2] = lastModified
    return slot
  }

  /** The folder path of a slot (decoded once, on first use). */
  folderOf(slot: number): string {
    return this.slots.nameOf(slot)
  }

  /**
   * Every folder's direct figures, to move the rollup to another thread (see {@link mergeDirect}): its
   * own arrays, handed over with no copy. The rollup starts over empty, totals included.
   */
  takeDirect(): DirectFolderFigures {
    const paths = this.slots.takePaths()
    const part: DirectFolderFigures = {
      size: paths.size,
      paths: paths.bytes,
      pathEnds: paths.ends,
      figures: this.figures,
      objectCount: this.objectCount,
      totalSizeBytes: this.totalSizeBytes,
    }
    this.releaseFolders()
    this.objectCount = 0
    this.totalSizeBytes = 0
    return part
  }

  /** Adds a rollup made elsewhere (its {@link takeDirect}), whole-inventory totals included. */
  mergeDirect(part: DirectFolderFigures): void {
    this.objectCount += part.objectCount
    this.totalSizeBytes += part.totalSizeBytes
    let start = 0
    for (let index = 0; index < part.size; index++) {
      const end = part.pathEnds[index]!
      const slot = this.slotFor(this.slots.slotOf(part.paths, start, end))
      start = end
      const at = FIGURES * slot
      const from = FIGURES * index
      this.figures[at]! += part.figures[from]!
      this.figures[at + 1]! += part.figures[from + 1]!
      if (part.figures[from + 2]! > this.figures[at + 2]!) this.figures[at + 2] = part.figures[from + 2]!
    }
  }

  /** Forgets the per-folder figures (totals stay): call once the summaries are taken, to free them early. */
  releaseFolders(): void {
    this.slots = new FolderSlots()
    this.figures = emptyFigures(1024)
    this.previousFolder = ''
    this.previousSlot = -1
    this.taken = 0
  }

  /** Number of folders that hold an object directly (less those {@link takeSummaries} reached). */
  get directFolderCount(): number {
    return this.slots.size - this.taken
  }

  /** `slot` (of {@link FolderSlots}), with room in the figures' arrays made when it is new. */
  private slotFor(slot: number): number {
    if (FIGURES * slot === this.figures.length) {
      const figures = emptyFigures(slot * 2)
      figures.set(this.figures)
      this.figures = figures
    }
    return slot
  }

  private newestText(slot: number): string {
    const time = this.figures[FIGURES * slot + 2]!
    return time === -Infinity ? '' : new Date(time).toISOString()
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
      const slots = this.slots
      const order = sortedSlots(slots)
      for (const [taken, slot] of order.entries()) {
        const folder = slots.nameOf(slot)
        if (consume) {
          this.taken = taken + 1
          slots.forgetName(slot)
        }
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
        own.directObjectCount = this.figures[FIGURES * slot]!
        own.directSizeBytes = this.figures[FIGURES * slot + 1]!
        addSubtree(own, own.directObjectCount, own.directSizeBytes, this.newestText(slot))
      }
      while (branch.length > 0) yield close()
    } finally {
      if (consume) this.releaseFolders()
    }
  }
}

/**
 * Every slot of `slots`, in path order ({@link compareKeys}). The names are decoded into an array first:
 * a comparison then reads two array entries, not two calls that each find a decoded name.
 */
function sortedSlots(slots: FolderSlots): number[] {
  const names = Array.from({ length: slots.size }, (_, slot) => slots.nameOf(slot))
  const order = Array.from({ length: slots.size }, (_, slot) => slot)
  if (names.some((name) => SURROGATE.test(name))) return order.sort((p, q) => compareKeys(names[p]!, names[q]!))
  return order.sort((p, q) => {
    const a = names[p]!
    const b = names[q]!
    return a < b ? -1 : a > b ? 1 : 0
  })
}

/** Numbers per folder in {@link FolderAccumulator}'s figures. */
const FIGURES = 3

/** Figures of `folders` folders with no object yet: 0 objects, 0 bytes, newest -Infinity (none dated). */
function emptyFigures(folders: number): Float64Array<ArrayBuffer> {
  const figures = new Float64Array(FIGURES * folders)
  for (let at = 2; at < figures.length; at += FIGURES) figures[at] = -Infinity
  return figures
}

/**
 * Epoch milliseconds of an ISO 8601 time, from its digits for the canonical `toISOString` form the
 * readers give (no Date parsing per object); -Infinity for one that does not parse (it never counts as newest).
 */
export function isoMillis(text: string): number {
  if (text.length !== 24 || text.charCodeAt(23) !== 90 /* Z */) return parseTime(text)
  const digits = (at: number, count: number): number => {
    let value = 0
    for (let i = at; i < at + count; i++) {
      const digit = text.charCodeAt(i) - 48
      if (digit < 0 || digit > 9) return NaN
      value = value * 10 + digit
    }
    return value
  }
  const time = civilMillis(digits(0, 4), digits(5, 2), digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2), digits(20, 3))
  return Number.isNaN(time) ? parseTime(text) : time
}

/** Epoch milliseconds of an ISO 8601 time; -Infinity for one that does not parse (it never counts as newest). */
function parseTime(text: string): number {
  const time = Date.parse(text)
  return Number.isNaN(time) ? -Infinity : time
}

function addSubtree(summary: FolderSummary, count: number, bytes: number, lastModified: string | null): void {
  summary.objectCount += count
  summary.totalSizeBytes += bytes
  if (lastModified !== null && (summary.lastModified === null || isLaterIso(lastModified, summary.lastModified))) {
    summary.lastModified = lastModified
  }
}

/**
 * True when ISO time `a` is later than `b`. Two texts of 4-digit years compare as text; an expanded
 * year (`+010000-01-01T00:00:00.000Z`, as `toISOString` writes years past 9999) does not sort as text.
 */
function isLaterIso(a: string, b: string): boolean {
  return a.length === 24 && b.length === 24 ? a > b : isoMillis(a) > isoMillis(b)
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

/** {@link sortByKey} of FileInfo by key, without a call per comparison to read the key (a third faster). */
export function sortFilesByKey<T extends { key: string }>(files: T[]): T[] {
  if (files.some((file) => SURROGATE.test(file.key))) return files.sort((p, q) => compareKeys(p.key, q.key))
  return files.sort((p, q) => (p.key < q.key ? -1 : p.key > q.key ? 1 : 0))
}

/**
 * True when `files` are in strictly increasing key order ({@link compareKeys}); like {@link sortByKey},
 * by the native comparison when no key has a surrogate.
 */
export function isInKeyOrder(files: readonly { key: string }[]): boolean {
  // A pair out of order by code unit is checked exactly, so files in a report's order are answered at
  // once; a pair in order by code unit can be out of order only when a key has a surrogate.
  for (let i = 1; i < files.length; i++) {
    const a = files[i - 1]!.key
    const b = files[i]!.key
    if (a >= b && compareKeys(a, b) >= 0) return false
  }
  if (!files.some((file) => SURROGATE.test(file.key))) return true
  for (let i = 1; i < files.length; i++) if (compareKeys(files[i - 1]!.key, files[i]!.key) >= 0) return false
  return true
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
