/** Why an ORC file cannot be read: it is damaged, or it uses something this reader does not handle. */
export type OrcErrorCode = 'DATA_FILE_CORRUPT' | 'FORMAT_UNSUPPORTED'

/**
 * The one error this package throws. `code` is stable (the same codes as `@shuttersense/inventory-core`'s
 * InventoryError, which maps it one to one); the message starts with the file's name.
 */
export class OrcError extends Error {
  override readonly name = 'OrcError'
  constructor(
    readonly code: OrcErrorCode,
    message: string,
    /** The file, as named to {@link openOrcFile}. */
    readonly file?: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Throws `DATA_FILE_CORRUPT` (the file name is added by the caller that knows it). */
export function corrupt(why: string): never {
  throw new OrcError('DATA_FILE_CORRUPT', why)
}

/** Runs `action`; any failure becomes an {@link OrcError} whose message names `file`. */
export async function namingFile<T>(file: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action()
  } catch (error) {
    throw withFile(file, error)
  }
}

/** `error` as an {@link OrcError} naming `file`: its own code kept, anything else is a corrupt file. */
export function withFile(file: string, error: unknown): OrcError {
  if (error instanceof OrcError) {
    if (error.file === file) return error
    return new OrcError(error.code, `${file}: ${error.message}`, file, { cause: error.cause })
  }
  const why = error instanceof Error ? error.message : String(error)
  return new OrcError('DATA_FILE_CORRUPT', `${file}: corrupt ORC file (${why})`, file, { cause: error })
}

/** {@link namingFile} for work that does not wait. */
export function namingFileSync<T>(file: string, action: () => T): T {
  try {
    return action()
  } catch (error) {
    throw withFile(file, error)
  }
}
