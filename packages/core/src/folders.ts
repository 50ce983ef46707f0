import type { FileInfo, FolderSummary } from './types.js'

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
 * folders, never with the number of objects. Keys are in no order in a real report, so every object
 * may be in another folder than the one before: the folder is looked up by a slice of the key (copied
 * only when the folder is new), and dates are compared as epoch milliseconds computed from their digits.
 * Sorted input still skips the lookup for objects of the same folder as the one before.
 *
 * Each folder's direct figures live in a slot of three number arrays (objects, bytes, newest
 * last-modified as epoch milliseconds) rather than in an object with a date string: at 300k folders the
 * heap holds 26 MB less (the arrays take 12 MB beside it), and every full garbage collection visits up to
 * three fewer objects per folder.
 */
export class FolderAccumulator {
  private readonly slots = new Map<string, number>()
  private counts = new Float64Array(1024)
  private bytes = new Float64Array(1024)
  /** Epoch milliseconds; -Infinity while a folder has no dated object. */
  private newest = new Float64Array(1024).fill(-Infinity)
  private previousFolder = ''
  /** Slot of `previousFolder`, -1 for the bucket root (which has no slot). */
  private previousSlot = -1
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
        if (end === 0) {
          folder = ''
          slot = -1
        } else {
          folder = key.substring(0, end)
          const known = this.slots.get(folder)
          if (known !== undefined) {
            slot = known
          } else {
            // Only a new folder is copied: a slice would keep its whole key alive in the map.
            folder = detached(folder)
            slot = this.slotFor(folder)
          }
        }
      }
      if (slot >= 0) {
        this.counts[slot]!++
        this.bytes[slot]! += record.size
        // Canonical ISO text orders as time does: within a run of one folder's objects (sorted input)
        // only a newer text than the run's newest needs converting.
        const lastModified = record.lastModified
        if (lastModified > runNewest || slot !== runSlot) {
          runNewest = lastModified
          runSlot = slot
          const time = isoMillis(lastModified)
          if (time > this.newest[slot]!) this.newest[slot] = time
        }
      }
      visit?.(record, folder, slot)
    }
    this.previousFolder = folder
    this.previousSlot = slot
  }

  /** Every folder's direct figures as plain tuples, to move a rollup between threads (see {@link mergeDirect}). */
  exportDirect(): DirectFolderFigures[] {
    return [...this.slots].map(([folder, slot]) => [folder, this.counts[slot]!, this.bytes[slot]!, this.newestText(slot)])
  }

  /** Adds a rollup made elsewhere: its {@link exportDirect} tuples and its whole-inventory totals. */
  mergeDirect(entries: readonly DirectFolderFigures[], objectCount: number, totalSizeBytes: number): void {
    this.objectCount += objectCount
    this.totalSizeBytes += totalSizeBytes
    for (const [folder, count, bytes, lastModified] of entries) {
      const slot = this.slotFor(folder)
      this.counts[slot]! += count
      this.bytes[slot]! += bytes
      const time = parseTime(lastModified)
      if (time > this.newest[slot]!) this.newest[slot] = time
    }
  }

  /** Forgets the per-folder figures (totals stay): call once the summaries are taken, to free them early. */
  releaseFolders(): void {
    this.slots.clear()
    this.counts = new Float64Array(1024)
    this.bytes = new Float64Array(1024)
    this.newest = new Float64Array(1024).fill(-Infinity)
    this.previousFolder = ''
    this.previousSlot = -1
  }

  /** Number of folders that hold an object directly. */
  get directFolderCount(): number {
    return this.slots.size
  }

  /** The slot of `folder`, made (with room to grow) when it is new. */
  private slotFor(folder: string): number {
    let slot = this.slots.get(folder)
    if (slot === undefined) {
      slot = this.slots.size
      if (slot === this.counts.length) this.grow()
      this.slots.set(folder, slot)
    }
    return slot
  }

  private grow(): void {
    const size = this.counts.length * 2
    const grown = (from: Float64Array, fill: number): Float64Array<ArrayBuffer> => {
      const to = new Float64Array(size).fill(fill, from.length)
      to.set(from)
      return to
    }
    this.counts = grown(this.counts, 0)
    this.bytes = grown(this.bytes, 0)
    this.newest = grown(this.newest, -Infinity)
  }

  private newestText(slot: number): string {
    const time = this.newest[slot]!
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
      for (const folder of sortByKey([...this.slots.keys()], (path) => path)) {
        const slot = this.slots.get(folder)!
        if (consume) this.slots.delete(folder)
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
        own.directObjectCount = this.counts[slot]!
        own.directSizeBytes = this.bytes[slot]!
        addSubtree(own, own.directObjectCount, own.directSizeBytes, this.newestText(slot))
      }
      while (branch.length > 0) yield close()
    } finally {
      if (consume) this.releaseFolders()
    }
  }
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
  const year = digits(0, 4)
  const month = digits(5, 2)
  const day = digits(8, 2)
  // Days from 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse).
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = era * 146_097 + dayOfEra - 719_468
  const time = ((days * 24 + digits(11, 2)) * 60 + digits(14, 2)) * 60_000 + digits(17, 2) * 1000 + digits(20, 3)
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
