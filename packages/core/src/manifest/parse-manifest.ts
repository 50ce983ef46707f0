import { InventoryError } from '../errors.js'
import { type InventoryManifest, manifestSchema } from './manifest-schema.js'

const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Parses and validates the bytes of a `manifest.json`.
 * @param file - the manifest's key or path, named in errors.
 * @throws InventoryError `MANIFEST_INVALID` naming the file and every field that is wrong.
 */
export function parseManifest(bytes: Uint8Array | string, file = 'manifest.json'): InventoryManifest {
  let json: unknown
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : textDecoder.decode(bytes))
  } catch (cause) {
    throw new InventoryError('MANIFEST_INVALID', `${file}: not valid UTF-8 JSON`, { file, cause })
  }
  const result = manifestSchema.safeParse(json)
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ')
    throw new InventoryError('MANIFEST_INVALID', `${file}: ${problems}`, { file, cause: result.error })
  }
  return result.data
}

/** The manifest's `creationTimestamp` as a `Date`. */
export function manifestCreatedAt(manifest: InventoryManifest): Date {
  return new Date(Number(manifest.creationTimestamp))
}
