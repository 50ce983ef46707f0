import { decompressZstd } from 'hyparquet-compressors'

/** Largest window a frame without a content size may ask for: 8 MiB (zstd's level 19 uses 8 MiB; ORC blocks are far smaller). */
const MAX_UNSIZED_WINDOW = 8 * 1024 * 1024
/** Largest output frames without a content size may have by their block headers (a compressed block counts as its 128 KiB maximum). */
const MAX_UNSIZED_OUTPUT = 64 * 1024 * 1024
/** Largest output a zstd block may have (zstd's Block_Maximum_Size). */
const MAX_BLOCK_BYTES = 128 * 1024
/** Largest chunk or page a caller may expect: the bound comes from the file itself, so it gets a ceiling too (the stripe memory bound). */
export const MAX_EXPECTED_BYTES = 256 * 1024 * 1024

/**
 * Decompresses Zstandard frames that must give at most `maxLength` bytes, checking every frame's header
 * first: the decompressor allocates what a header declares (its content size, else its window, up to
 * 2 GiB), so a damaged header must be refused before it is believed.
 * @throws Error naming what is wrong (the caller reports the file as corrupt)
 */
export function decompressZstdBounded(input: Uint8Array, maxLength: number): Uint8Array {
  if (!(maxLength <= MAX_EXPECTED_BYTES)) throw new Error(`a zstd chunk said to hold ${maxLength} bytes is past the ${MAX_EXPECTED_BYTES}-byte limit`)
  checkZstdFrames(input, maxLength)
  const out = decompressZstd(input)
  if (out.length > maxLength) throw new Error(`zstd frames decompress to ${out.length} bytes, more than the ${maxLength} expected`)
  return out
}

/**
 * Walks the frames of `input` (headers and block headers only), refusing any that would decompress or allocate past `maxLength`.
 * A frame without a content size (or with size 0) is bounded by its blocks: raw and RLE blocks say their output size, and a
 * compressed block gives at most 128 KiB, so a few input bytes cannot ask for gigabytes.
 */
export function checkZstdFrames(input: Uint8Array, maxLength: number): void {
  const windowLimit = Math.max(maxLength, MAX_UNSIZED_WINDOW)
  const unsizedLimit = Math.max(maxLength, MAX_UNSIZED_OUTPUT)
  let at = 0
  let declared = 0
  let unsizedBound = 0
  const need = (bytes: number): void => {
    if (at + bytes > input.length) throw new Error(`zstd frame cut short at byte ${at} of ${input.length}`)
  }
  const littleEndian = (from: number, bytes: number): number => {
    let value = 0
    for (let i = bytes - 1; i >= 0; i--) value = value * 256 + input[from + i]!
    return value
  }
  while (at < input.length) {
    need(4)
    const magic = littleEndian(at, 4)
    if (magic >>> 4 === 0x184d2a5) {
      // A skippable frame: its length, then that many bytes.
      need(8)
      at += 8 + littleEndian(at + 4, 4)
      if (at > input.length) throw new Error('zstd skippable frame runs past its chunk')
      continue
    }
    if (magic !== 0xfd2fb528) throw new Error(`no zstd frame at byte ${at} (magic ${magic.toString(16)})`)
    at += 4
    need(1)
    const descriptor = input[at++]!
    const singleSegment = (descriptor >> 5) & 1
    const contentSizeFlag = descriptor >> 6
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!
    const hasChecksum = (descriptor >> 2) & 1
    if (descriptor & 8) throw new Error('zstd frame header has its reserved bit set')
    let window = 0
    if (!singleSegment) {
      need(1)
      const byte = input[at++]!
      const base = 2 ** (10 + (byte >> 3))
      window = base + (base / 8) * (byte & 7)
    }
    at += dictionaryBytes
    const sizeBytes = contentSizeFlag === 0 ? singleSegment : 1 << contentSizeFlag
    need(sizeBytes)
    const contentSize = sizeBytes === 0 ? undefined : littleEndian(at, sizeBytes) + (sizeBytes === 2 ? 256 : 0)
    at += sizeBytes
    const sized = contentSize !== undefined && contentSize > 0
    if (sized) {
      declared += contentSize
      if (declared > maxLength) throw new Error(`zstd frame declares ${contentSize} bytes, more than the ${maxLength} expected`)
    } else if (window > windowLimit) {
      throw new Error(`zstd frame asks for a window of ${window} bytes, more than the ${maxLength} expected`)
    }
    // The blocks: a 3-byte header each (last flag, type, size); RLE blocks hold one byte.
    for (let last = 0; !last; ) {
      need(3)
      const header = littleEndian(at, 3)
      at += 3
      last = header & 1
      const type = (header >> 1) & 3
      const size = header >>> 3
      if (type === 3) throw new Error('zstd block of the reserved type')
      if (!sized) {
        unsizedBound += type === 2 ? MAX_BLOCK_BYTES : size
        if (declared + unsizedBound > unsizedLimit) throw new Error(`zstd frames without a content size would decompress past ${unsizedLimit} bytes`)
      }
      at += type === 1 ? 1 : size
      if (at > input.length) throw new Error('zstd block runs past its chunk')
    }
    at += hasChecksum * 4
    if (at > input.length) throw new Error('zstd frame checksum cut short')
  }
}
