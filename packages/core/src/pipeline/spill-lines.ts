import type { FileInfo } from '../types.js'
import type { EncodedSpillRecords } from './data-file-reader.js'
import { SpillBytes, spillBucketOf } from './spill.js'

/**
 * The spill lines phase A builds for each bucket of one rollup target, between two flushes. A record is
 * written once, into the bucket of its folder's first collection, and copied only for a folder in more
 * than one collection (nested collections).
 */
export class SpillLines {
  private readonly buckets: SpillBytes[]
  private readonly bucketOf: number[]
  /** Where the record of the line being written starts (after its collection index and tab). */
  private recordStart = 0

  /** `routes(slot)`: the indexes of the collections holding the folder at `slot`, in the router's order. */
  constructor(
    collectionCount: number,
    bucketCount: number,
    private readonly routes: (slot: number) => readonly number[],
  ) {
    this.buckets = Array.from({ length: bucketCount }, () => new SpillBytes())
    this.bucketOf = Array.from({ length: collectionCount }, (_, index) => spillBucketOf(index, collectionCount, bucketCount))
  }

  /** Starts the line of a wanted object in the folder at `slot`: write its record to the answer, then {@link end}. */
  begin(slot: number): SpillBytes {
    const first = this.routes(slot)[0]!
    const out = this.buckets[this.bucketOf[first]!]!
    out.number(first)
    out.tab()
    this.recordStart = out.length
    return out
  }

  /** Ends the line {@link begin} started, copying it to the folder's other collections. */
  end(slot: number): void {
    const routes = this.routes(slot)
    if (routes.length < 2) return
    const out = this.buckets[this.bucketOf[routes[0]!]!]!
    // A copy: a second collection in the same bucket appends to the very bytes it is copied from.
    const record = out.copyOf(this.recordStart, out.length)
    for (let i = 1; i < routes.length; i++) this.buckets[this.bucketOf[routes[i]!]!]!.prefixed(routes[i]!, record, 0, record.length)
  }

  /** A record read as FileInfo, in the folder at `slot`, to every collection holding it. */
  addRecord(record: FileInfo, slot: number): void {
    for (const index of this.routes(slot)) this.buckets[this.bucketOf[index]!]!.line(index, record)
  }

  /** Records a reader encoded itself ({@link EncodedSpillRecords}), to every collection holding each. */
  addEncoded(encoded: EncodedSpillRecords): void {
    let start = 0
    for (let i = 0; i < encoded.ends.length; i++) {
      const end = encoded.ends[i]!
      for (const index of this.routes(encoded.slots[i]!)) this.buckets[this.bucketOf[index]!]!.prefixed(index, encoded.bytes, start, end)
      start = end
    }
  }

  /** Hands each bucket's lines so far to `spill` (its own copy) and starts over. */
  flush(spill: (bucket: number, lines: Uint8Array<ArrayBuffer>) => void): void {
    this.buckets.forEach((lines, bucket) => {
      if (lines.length > 0) spill(bucket, lines.take())
    })
  }
}
