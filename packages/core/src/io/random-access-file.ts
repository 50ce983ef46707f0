import { InventoryError } from '../errors.js'

/**
 * Random access to a file's bytes: what Parquet and ORC readers need, since their footer is at the
 * end. Data files reach a reader as a forward stream; `DataFileReadContext.openFile()` stages one
 * (checked against its MD5) and hands it over as this.
 */
export interface RandomAccessFile {
  /** Length of the file in bytes. */
  readonly size: number
  /**
   * Exactly `length` bytes from `offset`.
   * @throws InventoryError `DATA_FILE_CORRUPT` when the range reaches past the end of the file (a
   * reader trusting a corrupt footer asks for bytes that are not there).
   */
  read(offset: number, length: number): Promise<Uint8Array>
  /** Releases the file (a staged copy is deleted). Safe to call twice; `read` fails afterwards. */
  close(): Promise<void>
}

/** A {@link RandomAccessFile} that is a local file another thread may open by its path. */
export interface LocalRandomAccessFile extends RandomAccessFile {
  readonly path: string
}

/** The local path of `file` when it is a local file (a file scratch's staged copy), else `undefined`. */
export function localPathOf(file: RandomAccessFile): string | undefined {
  const path = (file as Partial<LocalRandomAccessFile>).path
  return typeof path === 'string' ? path : undefined
}

/**
 * Checks a read of `length` bytes at `offset` against a file of `size` bytes.
 * @throws InventoryError `DATA_FILE_CORRUPT` naming `file` when it does not fit.
 */
export function checkReadRange(offset: number, length: number, size: number, file: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new InventoryError(
      'DATA_FILE_CORRUPT',
      `${file}: a read of ${length} bytes at offset ${offset} does not fit in the file's ${size} bytes (truncated or corrupt)`,
      { file, byteOffset: Number.isSafeInteger(offset) ? offset : undefined },
    )
  }
}

/** A {@link RandomAccessFile} over bytes in memory (tests, small files, an in-memory scratch). `file` names it in errors. */
export function createMemoryRandomAccessFile(bytes: Uint8Array, file = 'in-memory file'): RandomAccessFile {
  let closed = false
  return {
    size: bytes.byteLength,
    async read(offset, length) {
      if (closed) throw new InventoryError('INVALID_ARGUMENT', `${file}: read after close`, { file })
      checkReadRange(offset, length, bytes.byteLength, file)
      return bytes.subarray(offset, offset + length)
    },
    async close() {
      closed = true
    },
  }
}

/** Reads a whole stream into memory as one {@link RandomAccessFile}. */
export async function stageInMemory(chunks: AsyncIterable<Uint8Array>, file?: string): Promise<RandomAccessFile> {
  const parts: Uint8Array[] = []
  let length = 0
  for await (const chunk of chunks) {
    parts.push(chunk)
    length += chunk.byteLength
  }
  const bytes = parts.length === 1 ? parts[0]! : new Uint8Array(length)
  if (parts.length !== 1) {
    let at = 0
    for (const part of parts) {
      bytes.set(part, at)
      at += part.byteLength
    }
  }
  return createMemoryRandomAccessFile(bytes, file)
}
