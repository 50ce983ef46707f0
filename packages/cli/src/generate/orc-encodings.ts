import { deflateRawSync } from 'node:zlib'

/**
 * The few ORC stream encodings the generator's writer needs (from the ORC v1 specification): byte RLE,
 * booleans, integer RLE v2 (SHORT_REPEAT and DIRECT only), timestamp nanoseconds, and ZLIB chunks.
 */

/** A growable byte buffer. */
export class ByteSink {
  private bytes = new Uint8Array(1024)
  length = 0

  push(byte: number): void {
    if (this.length === this.bytes.length) this.grow(1)
    this.bytes[this.length++] = byte
  }

  append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) this.grow(chunk.length)
    this.bytes.set(chunk, this.length)
    this.length += chunk.length
  }

  toBytes(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }

  private grow(needed: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + needed))
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
  }
}

/** Byte RLE: runs of 3 to 130 equal bytes as (count - 3, byte), other bytes as up to 128 literals after -count. */
export function encodeByteRle(values: ArrayLike<number>): Uint8Array {
  const out = new ByteSink()
  let at = 0
  while (at < values.length) {
    let run = 1
    while (run < 130 && at + run < values.length && values[at + run] === values[at]) run++
    if (run >= 3) {
      out.push(run - 3)
      out.push(values[at]!)
      at += run
      continue
    }
    // Literals up to the next run of three.
    let end = at
    while (end < values.length && end - at < 128) {
      if (end + 2 < values.length && values[end] === values[end + 1] && values[end] === values[end + 2]) break
      end++
    }
    out.push((256 - (end - at)) & 0xff)
    for (let i = at; i < end; i++) out.push(values[i]!)
    at = end
  }
  return out.toBytes()
}

/** Booleans: eight to a byte, the first in the high bit, then byte RLE. */
export function encodeBooleans(values: readonly boolean[]): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(values.length / 8))
  values.forEach((value, index) => {
    if (value) bytes[index >> 3]! |= 0x80 >> (index & 7)
  })
  return encodeByteRle(bytes)
}

/** Zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 …, with arithmetic so values above 2^31 stay exact. */
export const zigzag = (value: number): number => (value >= 0 ? value * 2 : -value * 2 - 1)

/** The bit widths DIRECT can declare (its 5-bit code is the index here). */
const DIRECT_WIDTHS = [...Array.from({ length: 24 }, (_, index) => index + 1), 26, 28, 30, 32, 40, 48, 56, 64]

/** Bits a non-negative safe integer needs (at least 1). */
function bitsOf(value: number): number {
  if (value < 2 ** 32) return value === 0 ? 1 : 32 - Math.clz32(value)
  return 64 - Math.clz32(Math.floor(value / 2 ** 32))
}

/** Big-endian bit packing of non-negative safe integers, in pieces of at most 24 bits. */
class BitWriter {
  private acc = 0
  private accBits = 0
  constructor(private readonly out: ByteSink) {}

  write(value: number, width: number): void {
    if (width > 24) {
      this.write(Math.floor(value / 2 ** 24), width - 24)
      this.write(value % 2 ** 24, 24)
      return
    }
    this.acc = this.acc * 2 ** width + value
    this.accBits += width
    while (this.accBits >= 8) {
      const scale = 2 ** (this.accBits - 8)
      const byte = Math.floor(this.acc / scale)
      this.out.push(byte)
      this.acc -= byte * scale
      this.accBits -= 8
    }
  }

  /** Pads the last byte with zero bits. */
  flush(): void {
    if (this.accBits > 0) this.write(0, 8 - this.accBits)
  }
}

/**
 * Integer RLE v2 of non-negative safe integers (zigzag signed values first): 3 to 10 equal values as
 * SHORT_REPEAT, everything else as DIRECT runs of up to 512 values.
 */
export function encodeUnsignedRleV2(values: readonly number[]): Uint8Array {
  const out = new ByteSink()
  const bits = new BitWriter(out)
  const repeatAt = (at: number): number => {
    let run = 1
    while (run < 10 && at + run < values.length && values[at + run] === values[at]) run++
    return run
  }
  let at = 0
  while (at < values.length) {
    const run = repeatAt(at)
    if (run >= 3) {
      const value = values[at]!
      const bytes = Math.ceil(bitsOf(value) / 8)
      out.push(((bytes - 1) << 3) | (run - 3))
      for (let shift = bytes - 1; shift >= 0; shift--) out.push(Math.floor(value / 2 ** (shift * 8)) % 256)
      at += run
      continue
    }
    let end = at + 1
    while (end < values.length && end - at < 512 && repeatAt(end) < 3) end++
    let widest = 1
    for (let i = at; i < end; i++) widest = Math.max(widest, bitsOf(values[i]!))
    const code = DIRECT_WIDTHS.findIndex((width) => width >= widest)
    const count = end - at - 1
    out.push(0x40 | (code << 1) | (count >> 8))
    out.push(count & 0xff)
    for (let i = at; i < end; i++) bits.write(values[i]!, DIRECT_WIDTHS[code]!)
    bits.flush()
    at = end
  }
  return out.toBytes()
}

/** Integer RLE v2 of signed safe integers. */
export const encodeSignedRleV2 = (values: readonly number[]): Uint8Array => encodeUnsignedRleV2(values.map(zigzag))

/**
 * A timestamp's nanoseconds as ORC stores them: with two or more trailing decimal zeros, the rest
 * shifted left 3 with (zeros removed - 1) in the low 3 bits; otherwise shifted left 3.
 */
export function encodeNanos(nanos: number): number {
  if (nanos === 0) return 0
  if (nanos % 100 !== 0) return nanos * 8
  let rest = nanos / 100
  let zeros = 1
  while (rest % 10 === 0 && zeros < 7) {
    rest /= 10
    zeros++
  }
  return rest * 8 + zeros
}

/** ORC's compression block: the most uncompressed bytes one chunk holds (what AWS's files declare). */
export const ORC_COMPRESSION_BLOCK = 256 * 1024

/**
 * ZLIB as ORC frames it: chunks of at most one block, each raw deflate behind a 3-byte little-endian
 * header `length * 2 + isOriginal`; a chunk that deflate does not shrink is stored as it is.
 */
export function compressZlib(bytes: Uint8Array): Uint8Array {
  const out = new ByteSink()
  for (let at = 0; at < bytes.length; at += ORC_COMPRESSION_BLOCK) {
    const chunk = bytes.subarray(at, at + ORC_COMPRESSION_BLOCK)
    const deflated = deflateRawSync(chunk)
    const original = deflated.length >= chunk.length
    const body = original ? chunk : deflated
    const header = body.length * 2 + (original ? 1 : 0)
    out.push(header & 0xff)
    out.push((header >> 8) & 0xff)
    out.push((header >> 16) & 0xff)
    out.append(body)
  }
  return out.toBytes()
}
