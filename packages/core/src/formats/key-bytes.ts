import { isUtf8 } from 'node:buffer'
import { PATH_HASH_START, pathHashStep } from '../folder-slots.js'
import { KEY_FOR_RECORD_PATH, isInvalidKeyBytes } from '../parse/rollup-row.js'

/**
 * A key read from its UTF-8 bytes in a data file (Parquet, ORC), scanned once for what the folder
 * rollup needs: its folder part (up to the last `/`) and that part's hash, and whether
 * {@link classifyRollupRow} may take it as it is. Reused from row to row: no object per key.
 */
export class KeyBytesScan {
  /** `classifyRollupRow`'s key length: the bytes, or {@link KEY_FOR_RECORD_PATH} (null, or bytes whose string differs from them). */
  length = 0
  /** Longer than S3 allows, or holding a NUL. */
  invalid = false
  /** End of the folder part in the scanned bytes (their start at the bucket root). */
  folderEnd = 0
  /** `pathHash` of the folder part. */
  folderHash = PATH_HASH_START

  /** Scans `data[start, end)`; a negative `start` is a null key. */
  scan(data: Uint8Array, start: number, end: number): void {
    if (start < 0) {
      this.length = KEY_FOR_RECORD_PATH
      this.invalid = false
      return
    }
    let high = 0
    let nul = false
    let hash = PATH_HASH_START
    let folderEnd = start
    let folderHash = PATH_HASH_START
    for (let i = start; i < end; i++) {
      const byte = data[i]!
      high |= byte
      if (byte === 0) nul = true
      hash = pathHashStep(hash, byte)
      if (byte === 47) {
        folderEnd = i + 1
        folderHash = hash
      }
    }
    this.folderEnd = folderEnd
    this.folderHash = folderHash
    const length = end - start
    // Bytes that are not UTF-8 decode to replacement characters, and a leading byte order mark is
    // dropped by the decoder: either way the key's string is not these bytes, so the record path reads it.
    this.length = high >= 0x80 && (startsWithByteOrderMark(data, start, end) || !isUtf8(data.subarray(start, end))) ? KEY_FOR_RECORD_PATH : length
    this.invalid = length > 0 && isInvalidKeyBytes(length, nul)
  }
}

function startsWithByteOrderMark(data: Uint8Array, start: number, end: number): boolean {
  return end - start >= 3 && data[start] === 0xef && data[start + 1] === 0xbb && data[start + 2] === 0xbf
}
