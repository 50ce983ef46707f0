import { createHash, type Hash } from 'node:crypto'
import { InventoryError } from '../errors.js'

/** MD5 of `bytes` as 32 lowercase hex digits. */
export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex')
}

/**
 * Reads the 32-hex MD5 that `manifest.checksum` holds (AWS writes it with a trailing newline).
 * @throws InventoryError `MANIFEST_INVALID` when the file does not hold an MD5.
 */
export function parseChecksumFile(bytes: Uint8Array | string, file = 'manifest.checksum'): string {
  const text = (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1')).trim()
  if (!/^[0-9a-fA-F]{32}$/.test(text)) {
    throw new InventoryError('MANIFEST_INVALID', `${file}: expected an MD5 (32 hex digits)`, { file })
  }
  return text.toLowerCase()
}

/**
 * Verifies `manifest.json` against the MD5 in `manifest.checksum`.
 * @throws InventoryError `CHECKSUM_MISMATCH` naming the manifest.
 */
export function verifyManifestChecksum(manifestBytes: Uint8Array, expectedMd5: string, file = 'manifest.json'): void {
  const actual = md5Hex(manifestBytes)
  if (actual !== expectedMd5.toLowerCase()) {
    throw new InventoryError(
      'CHECKSUM_MISMATCH',
      `${file}: MD5 is ${actual} but manifest.checksum says ${expectedMd5.toLowerCase()}`,
      { file },
    )
  }
}

/**
 * Passes bytes through unchanged while hashing them; after the last chunk it compares the MD5
 * with `expectedMd5` and throws `CHECKSUM_MISMATCH` if they differ. The hash covers exactly the bytes
 * the consumer read, so it must see the whole stream (read to the end).
 */
export async function* verifyMd5(
  chunks: AsyncIterable<Uint8Array>,
  expectedMd5: string,
  file: string,
): AsyncGenerator<Uint8Array> {
  const hash: Hash = createHash('md5')
  for await (const chunk of chunks) {
    hash.update(chunk)
    yield chunk
  }
  const actual = hash.digest('hex')
  if (actual !== expectedMd5.toLowerCase()) {
    throw new InventoryError(
      'CHECKSUM_MISMATCH',
      `${file}: MD5 is ${actual} but the manifest says ${expectedMd5.toLowerCase()}`,
      { file },
    )
  }
}
