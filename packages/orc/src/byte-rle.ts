import { ByteCursor } from './byte-cursor.js'

/**
 * Byte run-length decoding: a control byte 0..127 is a run of (control + 3) copies of the next byte;
 * 128..255 is (256 - control) literal bytes.
 */
export function decodeByteRle(bytes: Uint8Array, count: number, what: string): Uint8Array {
  const cursor = new ByteCursor(bytes, what)
  const out = new Uint8Array(count)
  let filled = 0
  while (filled < count) {
    const control = cursor.byte()
    if (control < 128) {
      const run = Math.min(control + 3, count - filled)
      out.fill(cursor.byte(), filled, filled + run)
      filled += run
    } else {
      const literals = cursor.take(256 - control)
      const take = Math.min(literals.length, count - filled)
      out.set(literals.subarray(0, take), filled)
      filled += take
    }
  }
  return out
}

/** Booleans: byte RLE of bit-packed bytes, most significant bit first. */
export function decodeBooleans(bytes: Uint8Array, count: number, what: string): Uint8Array {
  const packed = decodeByteRle(bytes, Math.ceil(count / 8), what)
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i++) out[i] = (packed[i >> 3]! >> (7 - (i & 7))) & 1
  return out
}
