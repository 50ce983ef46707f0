import { inflateRawSync } from 'node:zlib'
import { decompressLz4Raw, decompressSnappy } from 'hyparquet-compressors'
import { ByteCursor } from './byte-cursor.js'
import type { OrcCompression } from './orc-metadata.js'
import { OrcError, corrupt } from './orc-error.js'
import { decompressZstdBounded } from './zstd-frames.js'

/** Counts decompressed bytes against a limit (one stripe's needed streams), so memory stays bounded. */
export interface ByteBudget {
  /** Takes `bytes` from the budget; throws when it runs out. */
  spend(bytes: number): void
}

/** A budget without a limit. */
export const UNLIMITED: ByteBudget = { spend() {} }

/**
 * Decodes an ORC stream as stored: with compression, a series of chunks, each behind a 3-byte
 * little-endian header (`length << 1 | isOriginal`); an original chunk is stored as is.
 */
export function decompressStream(
  bytes: Uint8Array,
  compression: OrcCompression,
  blockSize: number,
  what: string,
  budget: ByteBudget = UNLIMITED,
): Uint8Array {
  if (compression === 'NONE') {
    budget.spend(bytes.length)
    return bytes
  }
  const parts: Uint8Array[] = []
  let total = 0
  let at = 0
  while (at < bytes.length) {
    if (at + 3 > bytes.length) corrupt(`${what}: a compressed chunk header is cut short`)
    const header = bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16)
    const length = header >>> 1
    at += 3
    if (at + length > bytes.length) corrupt(`${what}: a compressed chunk of ${length} bytes runs past the stream's end`)
    const chunk = bytes.subarray(at, at + length)
    at += length
    const part = (header & 1) === 1 ? chunk : decompressChunk(chunk, compression, blockSize, what)
    budget.spend(part.length)
    parts.push(part)
    total += part.length
  }
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function decompressChunk(chunk: Uint8Array, compression: OrcCompression, blockSize: number, what: string): Uint8Array {
  let out: Uint8Array
  try {
    switch (compression) {
      case 'ZLIB':
        out = inflateRawSync(chunk, { maxOutputLength: Math.max(blockSize, 1) })
        break
      case 'SNAPPY':
        out = decompressSnappy(chunk, checkedLength(snappyLength(chunk, what), blockSize, what))
        break
      case 'LZ4':
        out = decompressLz4Raw(chunk, checkedLength(lz4BlockLength(chunk, what), blockSize, what))
        break
      case 'ZSTD':
        // A chunk decompresses to at most the block size: a frame header claiming more is damage, refused before it is allocated.
        out = decompressZstdBounded(chunk, blockSize)
        break
      default:
        throw new OrcError(
          'FORMAT_UNSUPPORTED',
          `${compression} compression is not supported (no maintained ${compression} decompressor for JavaScript); S3 Inventory writes ORC with ZLIB`,
        )
    }
  } catch (error) {
    if (error instanceof OrcError) throw error
    return corrupt(`${what}: ${compression} chunk does not decompress (${(error as Error).message})`)
  }
  checkedLength(out.length, blockSize, what)
  return out
}

function checkedLength(length: number, blockSize: number, what: string): number {
  if (length > blockSize) corrupt(`${what}: a chunk decompresses to ${length} bytes, more than the file's block size ${blockSize}`)
  return length
}

/** A Snappy block starts with its uncompressed length as a varint. */
function snappyLength(chunk: Uint8Array, what: string): number {
  const length = new ByteCursor(chunk, `${what} snappy chunk`).uvarint()
  return typeof length === 'number' ? length : corrupt(`${what}: snappy chunk length too large`)
}

/**
 * The decompressed length of an LZ4 block (the format ORC uses: no frame, no length prefix), from its
 * sequences: each is a token, literals, and (but for the last) a 2-byte offset and a match length.
 */
export function lz4BlockLength(block: Uint8Array, what: string): number {
  let at = 0
  let length = 0
  const extended = (base: number): number => {
    let value = base
    if (base === 15) {
      for (;;) {
        if (at >= block.length) corrupt(`${what}: LZ4 block cut short`)
        const b = block[at++]!
        value += b
        if (b !== 255) break
      }
    }
    return value
  }
  while (at < block.length) {
    const token = block[at++]!
    const literals = extended(token >> 4)
    at += literals
    length += literals
    if (at > block.length) corrupt(`${what}: LZ4 literals run past the block`)
    if (at === block.length) break
    if (at + 2 > block.length) corrupt(`${what}: LZ4 block cut short`)
    const offset = block[at]! | (block[at + 1]! << 8)
    at += 2
    if (offset === 0 || offset > length) corrupt(`${what}: LZ4 match offset ${offset} out of range`)
    length += extended(token & 15) + 4
  }
  return length
}
