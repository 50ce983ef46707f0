import { ByteCursor, type OrcInteger, addIntegers, normalizeInteger, unzigzag } from './byte-cursor.js'
import { corrupt } from './orc-error.js'

/** Which run-length encoding of integers a column uses: v1 (`DIRECT`, `DICTIONARY`) or v2 (`*_V2`). */
export type IntegerRleVersion = 1 | 2

/** Decodes `count` integers of a stream. `signed` streams are zigzag-encoded. */
export function decodeIntegers(bytes: Uint8Array, count: number, signed: boolean, version: IntegerRleVersion, what: string): OrcInteger[] {
  const cursor = new ByteCursor(bytes, what)
  const out: OrcInteger[] = []
  while (out.length < count) {
    if (version === 1) readRunV1(cursor, signed, out)
    else readRunV2(cursor, signed, out)
  }
  if (out.length > count) out.length = count
  return out
}

/** Integers that must be small and non-negative (lengths, dictionary indexes). */
export function decodeCounts(bytes: Uint8Array, count: number, version: IntegerRleVersion, what: string): number[] {
  const values = decodeIntegers(bytes, count, false, version, what)
  for (const value of values) {
    if (typeof value !== 'number' || value < 0 || value > 0xffffffff) corrupt(`${what}: length or index ${value} out of range`)
  }
  return values as number[]
}

/** RLE v1: a control byte 0..127 is a run of control + 3 values from a base with a signed byte delta; 128..255 are 256 - control literal varints. */
function readRunV1(cursor: ByteCursor, signed: boolean, out: OrcInteger[]): void {
  const control = cursor.byte()
  if (control < 128) {
    const delta = (cursor.byte() << 24) >> 24
    const base = signed ? cursor.svarint() : cursor.uvarint()
    for (let i = 0; i < control + 3; i++) out.push(addIntegers(base, delta * i))
  } else {
    for (let i = 0; i < 256 - control; i++) out.push(signed ? cursor.svarint() : cursor.uvarint())
  }
}

/** Bit widths of RLE v2's 5-bit width codes. */
const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 26, 28, 30, 32, 40, 48, 56, 64]

function widthOf(code: number): number {
  return WIDTHS[code]!
}

/** The smallest width of the table at least `bits` wide. */
function fixedWidth(bits: number): number {
  for (const width of WIDTHS) if (width >= bits) return width
  return 64
}

function readRunV2(cursor: ByteCursor, signed: boolean, out: OrcInteger[]): void {
  const first = cursor.byte()
  switch (first >> 6) {
    case 0: {
      // Short repeat: a value of 1-8 bytes, repeated 3-10 times.
      const width = ((first >> 3) & 7) + 1
      const raw = cursor.bigEndian(width)
      const value = signed ? unzigzag(raw) : raw
      for (let i = 0; i < (first & 7) + 3; i++) out.push(value)
      return
    }
    case 1: {
      // Direct: 1-512 bit-packed values.
      const width = widthOf((first >> 1) & 31)
      const length = (((first & 1) << 8) | cursor.byte()) + 1
      const values = unpackBits(cursor, width, length)
      for (const value of values) out.push(signed ? unzigzag(value) : value)
      return
    }
    case 2:
      readPatchedBase(cursor, first, out)
      return
    default:
      readDelta(cursor, first, signed, out)
  }
}

/** Patched base: values above a base in a narrow width, with a list of patches for the few wide ones. */
function readPatchedBase(cursor: ByteCursor, first: number, out: OrcInteger[]): void {
  const width = widthOf((first >> 1) & 31)
  const length = (((first & 1) << 8) | cursor.byte()) + 1
  const third = cursor.byte()
  const baseBytes = ((third >> 5) & 7) + 1
  const patchWidth = widthOf(third & 31)
  const fourth = cursor.byte()
  const gapWidth = ((fourth >> 5) & 7) + 1
  const patchCount = fourth & 31
  if (gapWidth + patchWidth > 64) corrupt(`${cursor.what}: patch entries wider than 64 bits`)
  // The base is sign-magnitude: its top bit is the sign.
  let base = BigInt(cursor.bigEndian(baseBytes))
  const signBit = 1n << BigInt(baseBytes * 8 - 1)
  if (base & signBit) base = -(base & ~signBit)
  const values = unpackBits(cursor, width, length).map((value) => BigInt(value))
  const patches = unpackBits(cursor, fixedWidth(gapWidth + patchWidth), patchCount)
  const patchMask = (1n << BigInt(patchWidth)) - 1n
  let position = 0
  for (const entry of patches) {
    const bits = BigInt(entry)
    position += Number(bits >> BigInt(patchWidth))
    if (position >= length) corrupt(`${cursor.what}: a patch lands past its run`)
    values[position]! |= (bits & patchMask) << BigInt(width)
  }
  for (const value of values) out.push(normalizeInteger(base + value))
}

/** Delta: a base, a first delta, then (unless the delta is fixed) bit-packed deltas of the first delta's sign. */
function readDelta(cursor: ByteCursor, first: number, signed: boolean, out: OrcInteger[]): void {
  const code = (first >> 1) & 31
  const width = code === 0 ? 0 : widthOf(code)
  const length = (((first & 1) << 8) | cursor.byte()) + 1
  let value = signed ? cursor.svarint() : cursor.uvarint()
  const delta = cursor.svarint()
  out.push(value)
  if (length === 1) return
  value = addIntegers(value, delta)
  out.push(value)
  if (width === 0) {
    for (let i = 2; i < length; i++) out.push((value = addIntegers(value, delta)))
    return
  }
  const negative = delta < 0
  for (const step of unpackBits(cursor, width, length - 2)) {
    value = addIntegers(value, negative ? -step : step)
    out.push(value)
  }
}

/** `count` values of `width` bits, packed big-endian from the next byte; the run ends on a byte boundary. */
function unpackBits(cursor: ByteCursor, width: number, count: number): OrcInteger[] {
  const out = new Array<OrcInteger>(count)
  if (count * width > cursor.remaining * 8) corrupt(`${cursor.what} ends early (a run of ${count} values of ${width} bits)`)
  let current = 0
  let bitsLeft = 0
  if (width <= 48) {
    for (let i = 0; i < count; i++) {
      let value = 0
      let need = width
      while (need > 0) {
        if (bitsLeft === 0) {
          current = cursor.byte()
          bitsLeft = 8
        }
        const take = need < bitsLeft ? need : bitsLeft
        value = value * (1 << take) + ((current >> (bitsLeft - take)) & ((1 << take) - 1))
        bitsLeft -= take
        need -= take
      }
      out[i] = value
    }
    return out
  }
  for (let i = 0; i < count; i++) {
    let value = 0n
    let need = width
    while (need > 0) {
      if (bitsLeft === 0) {
        current = cursor.byte()
        bitsLeft = 8
      }
      const take = need < bitsLeft ? need : bitsLeft
      value = (value << BigInt(take)) | BigInt((current >> (bitsLeft - take)) & ((1 << take) - 1))
      bitsLeft -= take
      need -= take
    }
    out[i] = normalizeInteger(value)
  }
  return out
}
