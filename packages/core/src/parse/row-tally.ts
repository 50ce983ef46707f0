import type { BadRowReason, FileInfo, RowCounts } from '../types.js'
import type { RowOutcome } from './record-fields.js'

/**
 * Counts row outcomes into {@link RowCounts} the way every reader does (CSV, Parquet, ORC): a record
 * goes to the batch, a noncurrent version or delete marker is counted, a bad row is counted by reason
 * with its 1-based row number as a sample.
 */
export class RowTally {
  batch: FileInfo[] = []
  private samples = 0

  constructor(
    private readonly counts: RowCounts,
    private readonly file: string,
    private readonly maxBadRowSamples = 5,
  ) {}

  accept(outcome: RowOutcome, row: number): void {
    const counts = this.counts
    counts.rows++
    if (typeof outcome === 'object') {
      counts.records++
      this.batch.push(outcome)
    } else if (outcome === 'noncurrent') {
      counts.noncurrentVersions++
    } else if (outcome === 'delete_marker') {
      counts.deleteMarkers++
    } else {
      this.bad(outcome, row)
    }
  }

  private bad(reason: BadRowReason, row: number): void {
    this.counts.badRows[reason] = (this.counts.badRows[reason] ?? 0) + 1
    if (this.samples < this.maxBadRowSamples) {
      this.samples++
      this.counts.badRowSamples.push({ file: this.file, line: row, reason })
    }
  }

  /** The records so far; the tally starts a new batch. */
  take(): FileInfo[] {
    const batch = this.batch
    this.batch = []
    return batch
  }
}
