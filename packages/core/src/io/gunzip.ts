import { createGunzip } from 'node:zlib'
import type { Transform } from 'node:stream'
import { InventoryError } from '../errors.js'

/** Output chunk size: larger chunks mean fewer round trips between zlib's thread and the parser. */
const GUNZIP_CHUNK_BYTES = 256 * 1024

function waitForDrain(stream: Transform): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      stream.off('error', fail)
      resolve()
    }
    const fail = (error: Error): void => {
      stream.off('drain', done)
      stream.off('close', done)
      reject(error)
    }
    stream.once('drain', done)
    stream.once('close', done)
    stream.once('error', fail)
  })
}

/**
 * Decompresses gzip bytes as they arrive (every member of a multi-member file). Decompression runs on
 * libuv's thread pool, so it overlaps with parsing on the main thread.
 * Errors of the input pass through unchanged; a truncated or corrupt stream becomes `DATA_FILE_CORRUPT`.
 */
export async function* gunzip(chunks: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const inflater = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES })
  let inputFailure: unknown
  let inputBytes = 0
  const feeding = (async () => {
    try {
      for await (const chunk of chunks) {
        if (inflater.destroyed) return
        inputBytes += chunk.byteLength
        if (!inflater.write(chunk)) await waitForDrain(inflater)
      }
      inflater.end()
    } catch (error) {
      inputFailure = error
      inflater.destroy(error as Error)
    }
  })()
  try {
    for await (const out of inflater as AsyncIterable<Buffer>) yield out
  } catch (error) {
    if (inputFailure !== undefined) throw inputFailure
    throw new InventoryError('DATA_FILE_CORRUPT', `${file}: not a valid gzip stream (${(error as Error).message})`, {
      file,
      byteOffset: inputBytes,
      cause: error,
    })
  } finally {
    if (!inflater.destroyed) inflater.destroy()
    await feeding
  }
  if (inputFailure !== undefined) throw inputFailure
}
