import { corrupt } from './orc-error.js'

/** An integer as decoded: a number when it is a safe integer, else a bigint (ORC longs are 64-bit, decimals wider). */
export type OrcInteger = number | bigint

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** `value` as a number when that is exact. */
export function normalizeInteger(value: bigint): OrcInteger {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value
}

/** `a + b`, exact. */
export function addIntegers(a: OrcInteger, b: OrcInteger): OrcInteger {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b
    if (Number.isSafeInteger(sum)) return sum
  }
  return normalizeInteger(BigInt(a) + BigInt(b))
}

/** Zigzag decoding (0, -1, 1, -2, ... from 0, 1, 2, 3, ...). */
export function unzigzag(value: OrcInteger): OrcInteger {
  if (typeof value === 'number') return value % 2 === 0 ? value / 2 : -(value + 1) / 2
  return normalizeInteger((value >> 1n) ^ -(value & 1n))
}

/** Base-128 varints are at most this many bytes here: 64-bit integers take 10, decimal(38) 19. */
const MAX_VARINT_BYTES = 24

/** A forward reader of one decoded stream or message; reading past its end is a corrupt file. */
export class ByteCursor {
  pos = 0
  constructor(
    readonly bytes: Uint8Array,
    /** What the bytes are, for errors (`column 3 DATA stream`). */
    readonly what: string,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  byte(): number {
    if (this.pos >= this.bytes.length) corrupt(`${this.what} ends early`)
    return this.bytes[this.pos++]!
  }

  take(length: number): Uint8Array {
    if (length < 0 || length > this.remaining) corrupt(`${this.what} ends early (${length} bytes wanted, ${this.remaining} left)`)
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  /** An unsigned base-128 varint. */
  uvarint(): OrcInteger {
    let value = 0
    let scale = 1
    // Seven bytes hold 49 bits: exact as a number.
    for (let i = 0; i < 7; i++) {
      const b = this.byte()
      value += (b & 0x7f) * scale
      if (b < 0x80) return value
      scale *= 128
    }
    let big = BigInt(value)
    let shift = 49n
    for (let i = 7; i < MAX_VARINT_BYTES; i++) {
      const b = this.byte()
      big |= BigInt(b & 0x7f) << shift
      if (b < 0x80) return normalizeInteger(big)
      shift += 7n
    }
    return corrupt(`${this.what} holds a varint longer than ${MAX_VARINT_BYTES} bytes`)
  }

  /** A zigzag-encoded signed varint. */
  svarint(): OrcInteger {
    return unzigzag(this.uvarint())
  }

  /** `width` bytes, big-endian, unsigned. */
  bigEndian(width: number): OrcInteger {
    if (width <= 6) {
      let value = 0
      for (let i = 0; i < width; i++) value = value * 256 + this.byte()
      return value
    }
    let big = 0n
    for (let i = 0; i < width; i++) big = (big << 8n) | BigInt(this.byte())
    return normalizeInteger(big)
  }
}

/** A uvarint that must fit in a number (a length, an offset, a count). */
export function safeUvarint(cursor: ByteCursor, what: string): number {
  const value = cursor.uvarint()
  if (typeof value !== 'number') corrupt(`${what} is too large (${value})`)
  return value
}
