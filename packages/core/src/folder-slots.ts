/**
 * Numbers folders by their paths' UTF-8 bytes: slot 0, 1, 2, … in the order they are first seen. An
 * open-addressing hash table over one byte arena that holds each path once, so a reader can look a
 * folder up straight from a data file's bytes, with no string per object; a path is decoded to a string
 * only when asked for, once. Needs no Node.js built-ins.
 */
export class FolderSlots {
  /**
   * Two numbers per entry, the path's hash and its slot + 1 (0 when the entry is empty), side by side so
   * that a probe reads one cache line: at 300k folders a lookup per object misses the cache on every
   * array it touches. The entries' count is a power of two, at most half of them used.
   */
  private table = new Int32Array(2 * 2048)
  /** End of each slot's path in `arena` (it starts where the slot before it ends). */
  private ends: Int32Array<ArrayBuffer> = new Int32Array(1024)
  private arena: Uint8Array<ArrayBuffer> = new Uint8Array(64 * 1024)
  private names: (string | undefined)[] = []
  private encodeScratch = new Uint8Array(1024)
  /** Number of folders. */
  size = 0

  /**
   * The slot of the path in `bytes[start, end)`, numbered now when the path is new. `hash` is
   * {@link pathHash} of those bytes, for a caller that computed it on the way (it must be that).
   */
  slotOf(bytes: Uint8Array, start: number, end: number, hash = pathHash(bytes, start, end)): number {
    const table = this.table
    const mask = (table.length >> 1) - 1
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = table[2 * at + 1]!
      if (entry === 0) return this.insert(at, hash, bytes, start, end)
      if (table[2 * at] === hash && this.equals(entry - 1, bytes, start, end)) return entry - 1
    }
  }

  /** The slot of a path given as a string (readers that give records, not bytes). */
  slotOfName(path: string): number {
    // A UTF-16 unit takes at most 3 UTF-8 bytes.
    if (this.encodeScratch.length < path.length * 3) this.encodeScratch = new Uint8Array(path.length * 3)
    const { written } = ENCODER.encodeInto(path, this.encodeScratch)
    return this.slotOf(this.encodeScratch, 0, written)
  }

  /** The path of `slot`, decoded on first use. */
  nameOf(slot: number): string {
    return (this.names[slot] ??= DECODER.decode(this.arena.subarray(this.startOf(slot), this.ends[slot]!)))
  }

  /** Drops the decoded path of `slot` (it is decoded again if asked for). */
  forgetName(slot: number): void {
    this.names[slot] = undefined
  }

  /**
   * The UTF-8 bytes of every path, one after the other, and the end of each (of the first `size`
   * entries), to move them between threads: the table's own arrays, with no copy. The table is empty
   * afterwards.
   */
  takePaths(): { size: number; bytes: Uint8Array<ArrayBuffer>; ends: Int32Array<ArrayBuffer> } {
    const taken = { size: this.size, bytes: this.arena, ends: this.ends }
    this.table = new Int32Array(2 * 2048)
    this.ends = new Int32Array(1024)
    this.arena = new Uint8Array(64 * 1024)
    this.names = []
    this.size = 0
    return taken
  }

  private startOf(slot: number): number {
    return slot === 0 ? 0 : this.ends[slot - 1]!
  }

  private equals(slot: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.startOf(slot)
    if (this.ends[slot]! - from !== end - start) return false
    const arena = this.arena
    for (let i = start, j = from; i < end; i++, j++) if (arena[j] !== bytes[i]) return false
    return true
  }

  private insert(at: number, hash: number, bytes: Uint8Array, start: number, end: number): number {
    const slot = this.size++
    if (slot === this.ends.length) this.ends = grown(this.ends, slot * 2)
    const from = this.startOf(slot)
    const to = from + (end - start)
    if (to > this.arena.length) {
      const arena = new Uint8Array(Math.max(to, this.arena.length * 2))
      arena.set(this.arena.subarray(0, from))
      this.arena = arena
    }
    this.arena.set(bytes.subarray(start, end), from)
    this.ends[slot] = to
    this.table[2 * at] = hash
    this.table[2 * at + 1] = slot + 1
    if (this.size * 4 > this.table.length) this.rehash()
    return slot
  }

  private rehash(): void {
    const old = this.table
    const table = new Int32Array(old.length * 2)
    const mask = (table.length >> 1) - 1
    for (let entry = 0; entry < old.length; entry += 2) {
      if (old[entry + 1] === 0) continue
      let at = old[entry]! & mask
      while (table[2 * at + 1] !== 0) at = (at + 1) & mask
      table[2 * at] = old[entry]!
      table[2 * at + 1] = old[entry + 1]!
    }
    this.table = table
  }
}

/** FNV-1a's starting value: {@link pathHash} of no bytes. */
export const PATH_HASH_START = 0x811c9dc5 | 0

/** {@link pathHash} of the bytes so far, then `byte`: a reader can hash a path as it decodes it. */
export function pathHashStep(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, 0x01000193)
}

/** The hash that {@link FolderSlots} files a path under (32-bit FNV-1a of its bytes). */
export function pathHash(bytes: Uint8Array, start: number, end: number): number {
  let hash = PATH_HASH_START
  for (let i = start; i < end; i++) hash = pathHashStep(hash, bytes[i]!)
  return hash
}

const ENCODER = new TextEncoder()
const DECODER = new TextDecoder()

function grown(from: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const to = new Int32Array(size)
  to.set(from)
  return to
}
