import type { FolderRollupSink, RolledUpBatch } from '../pipeline/data-file-reader.js'
import { SpillBytes } from '../pipeline/spill.js'
import type { FileInfo, RowCounts } from '../types.js'
import { MAX_KEY_BYTES, type RowOutcome } from './record-fields.js'

/**
 * What a rollup reader (CSV, Parquet, ORC `rollUp`) does with one row, decided in {@link rowOutcome}'s
 * order so that a row has the same outcome on either path: roll it up from its bytes
 * ({@link ROLL_UP_ROW}), read it through the record path ({@link RECORD_PATH_ROW}: a form the byte path
 * does not read, which the record path decides), or skip it for a reason.
 */
export type RollupRowClass = typeof ROLL_UP_ROW | typeof RECORD_PATH_ROW | Exclude<RowOutcome, FileInfo>

export const ROLL_UP_ROW = 'roll_up'
export const RECORD_PATH_ROW = 'record_path'

/** A key length for {@link classifyRollupRow}: the key is in a form the byte path does not read. */
export const KEY_FOR_RECORD_PATH = -1
/** A key length for {@link classifyRollupRow}: the key's URL encoding is malformed (CSV). */
export const KEY_MALFORMED = -2

/** Dates whose ISO text is the canonical 24 characters (years 0000 to 9999), as epoch milliseconds. */
const MIN_ISO_MILLIS = -62167219200000
const MAX_ISO_MILLIS = 253402300800000

/**
 * An object's last-modified epoch milliseconds as {@link classifyRollupRow} takes them: as they are when
 * their ISO text is the canonical form (years 0000 to 9999), NaN otherwise (null, far past or future:
 * the record path decides).
 */
export function rollupMillis(ms: unknown): number {
  return typeof ms === 'number' && ms >= MIN_ISO_MILLIS && ms < MAX_ISO_MILLIS ? ms : NaN
}

/**
 * Classifies a row from what a byte reader found. `keyLength` is the key's length (0 when empty; UTF-8
 * bytes or UTF-16 units, only 0 matters), or {@link KEY_FOR_RECORD_PATH} / {@link KEY_MALFORMED};
 * `invalidKey` says the key is longer than S3 allows or holds a NUL; `size` is -1 when it is not a
 * whole number; `time` is epoch milliseconds, NaN for a form only the record path reads, -Infinity
 * for a canonical form that is no date.
 */
export function classifyRollupRow(
  current: boolean,
  deleteMarker: boolean,
  keyLength: number,
  invalidKey: boolean,
  size: number,
  time: number,
): RollupRowClass {
  if (!current) return 'noncurrent'
  if (deleteMarker) return 'delete_marker'
  if (keyLength === KEY_FOR_RECORD_PATH) return RECORD_PATH_ROW
  if (keyLength === KEY_MALFORMED) return 'invalid_key_encoding'
  if (keyLength === 0) return 'missing_key'
  if (invalidKey) return 'invalid_key'
  if (size < 0) return 'invalid_size'
  if (Number.isNaN(time)) return RECORD_PATH_ROW
  if (time === -Infinity) return 'invalid_date'
  return ROLL_UP_ROW
}

/** True when a key of `bytes` UTF-8 bytes, with a NUL or not, is one S3 cannot hold (as `isInvalidKey`). */
export function isInvalidKeyBytes(bytes: number, nul: boolean): boolean {
  return bytes > MAX_KEY_BYTES || nul
}

/**
 * Builds the {@link RolledUpBatch}es of a rollup reader: counts each current object, and keeps as
 * FileInfo only those whose folder a collection wants.
 */
export class RolledUpBatches {
  private records: FileInfo[] = []
  private slots: number[] = []
  /** Where a reader of raw bytes writes wanted objects' spill records when the sink takes no lines itself. */
  readonly encoded = new SpillBytes()
  private encodedEnds: number[] = []
  private encodedSlots: number[] = []
  /** Current objects since the last {@link take}. */
  objects = 0

  constructor(
    private readonly counts: RowCounts,
    private readonly sink: FolderRollupSink,
  ) {}

  /**
   * Counts a current object the reader added to `sink.folders` itself, in the folder at `slot`; true
   * when a collection wants it as FileInfo (then {@link keep} it).
   */
  rolledUp(slot: number): boolean {
    this.counts.rows++
    this.counts.records++
    this.objects++
    return this.sink.wants(slot)
  }

  keep(record: FileInfo, slot: number): void {
    this.records.push(record)
    this.slots.push(slot)
  }

  /**
   * Where to write the spill record of a wanted object in the folder at `slot` (then {@link keepEncoded}
   * it): straight into its bucket's lines when the sink takes them, else {@link encoded}.
   */
  beginEncoded(slot: number): SpillBytes {
    return this.sink.beginSpillLine?.(slot) ?? this.encoded
  }

  /** Keeps the spill record just written where {@link beginEncoded} said, of an object in the folder at `slot`. */
  keepEncoded(slot: number): void {
    if (this.sink.endSpillLine) return this.sink.endSpillLine(slot)
    this.encodedEnds.push(this.encoded.length)
    this.encodedSlots.push(slot)
  }

  /** A current object read through the record path: rolled up, counted, kept when wanted. */
  addRecord(record: FileInfo): void {
    let slot = -1
    this.sink.folders.add([record], (_record, _folder, at) => (slot = at))
    if (this.rolledUp(slot)) this.keep(record, slot)
  }

  /** The batch so far; a new one starts. */
  take(): RolledUpBatch {
    const batch: RolledUpBatch = { objects: this.objects, records: this.records, slots: this.slots }
    if (this.encodedEnds.length > 0) {
      batch.encoded = { bytes: this.encoded.take(), ends: this.encodedEnds, slots: this.encodedSlots }
      this.encodedEnds = []
      this.encodedSlots = []
    }
    this.records = []
    this.slots = []
    this.objects = 0
    return batch
  }
}
