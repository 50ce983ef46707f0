import { createGunzip } from 'node:zlib'
import { InventoryError } from '../errors.js'
import { readWhileFeeding } from './feed-stream.js'

/** Output chunk size: larger chunks mean fewer round trips between zlib's thread and the parser. */
const GUNZIP_CHUNK_BYTES = 256 * 1024

/**
 * Decompresses gzip bytes as they arrive (every member of a multi-member file). Decompression runs on
 * libuv's thread pool, so it overlaps with parsing on the main thread.
 * Errors of the input pass through unchanged; a truncated or corrupt stream becomes `DATA_FILE_CORRUPT`.
 */
export function gunzip(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  let inputBytes = 0
  return readWhileFeeding<Uint8Array, Buffer>(createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), chunks, {
    onInput: (chunk) => {
      inputBytes += chunk.byteLength
    },
    mapStreamError: (error) =>
      new InventoryError('DATA_FILE_CORRUPT', `${file}: not a valid gzip stream (${(error as Error).message})`, {
        file,
        byteOffset: inputBytes,
        cause: error,
      }),
  })
}
