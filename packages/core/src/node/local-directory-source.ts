import * as nodeFs from 'node:fs'
import * as path from 'node:path'
import { InventoryError } from '../errors.js'
import type { ObjectSource, ReadObjectOptions, SourceCallOptions, StreamObjectOptions } from '../source.js'

/** The slice of `node:fs` the local source uses (memfs's `fs` fits too). */
export interface LocalFs {
  promises: {
    readdir(dir: string, options: { withFileTypes: true }): Promise<{ name: string | Buffer; isDirectory(): boolean }[]>
    readFile(file: string): Promise<Uint8Array>
    /** When present, paths are resolved through it and links that lead out of the root are refused. */
    realpath?(file: string): Promise<string | Buffer>
  }
  createReadStream(
    file: string,
    options: { start?: number; end?: number; highWaterMark?: number },
  ): AsyncIterable<Uint8Array | string>
}

/** Options of {@link createLocalDirectorySource}. */
export interface LocalDirectorySourceOptions {
  /** File system to read. @default node:fs */
  fs?: LocalFs | undefined
}

/**
 * Reads an inventory that was downloaded as-is: `root` mirrors the destination bucket, so
 * `<root>/<prefix>/<source-bucket>/<config>/<timestamp>/manifest.json` and the data files under the keys the
 * manifest names. The bucket argument of each call is ignored: a directory holds one bucket.
 * Keys never reach outside `root`: neither with `..` nor through a symbolic link (links inside it are followed).
 */
export function createLocalDirectorySource(root: string, options: LocalDirectorySourceOptions = {}): ObjectSource {
  const fs = options.fs ?? (nodeFs as unknown as LocalFs)
  const counts: Record<string, number> = {}
  const count = (type: string): void => {
    counts[type] = (counts[type] ?? 0) + 1
  }
  const base = path.resolve(root)
  const inside = (full: string, dir: string): boolean => full === dir || full.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)
  const realpath = fs.promises.realpath?.bind(fs.promises)
  let realBase: Promise<string> | undefined
  /** The file a key names, refused when it (or a link on its way) leads out of the root. */
  const resolve = async (key: string): Promise<string> => {
    const full = path.resolve(root, key)
    if (!inside(full, base)) {
      throw new InventoryError('INVALID_ARGUMENT', `key escapes the inventory directory: ${key}`, { file: key })
    }
    if (!realpath) return full
    realBase ??= realpath(base).then(String)
    const [real, realRoot] = await Promise.all([realpath(full).then(String), realBase])
    if (!inside(real, realRoot)) {
      throw new InventoryError('INVALID_ARGUMENT', `${key}: a symbolic link that leads out of the inventory directory`, { file: key })
    }
    return real
  }
  const failure = (error: unknown, key: string): InventoryError => {
    // Already classified (a key escaping the directory is INVALID_ARGUMENT, not a source failure).
    if (error instanceof InventoryError) return error
    const code = (error as NodeJS.ErrnoException)?.code
    if (code === 'ENOENT' || code === 'ENOTDIR') return new InventoryError('NOT_FOUND', `${key}: no such file`, { file: key, cause: error })
    if (code === 'EACCES' || code === 'EPERM') return new InventoryError('ACCESS_DENIED', `${key}: permission denied`, { file: key, cause: error })
    return new InventoryError('SOURCE_ERROR', `${key}: ${(error as Error)?.message}`, { file: key, cause: error })
  }

  return {
    displayName: (_bucket: string, key: string): string => path.join(base, key),
    async listFolders(_bucket: string, prefix: string, _options?: SourceCallOptions): Promise<string[]> {
      count('list')
      try {
        const entries = await fs.promises.readdir(await resolve(prefix), { withFileTypes: true })
        return entries.filter((entry) => entry.isDirectory()).map((entry) => `${prefix}${String(entry.name)}/`)
      } catch (error) {
        const inventoryError = failure(error, prefix)
        if (inventoryError.code === 'NOT_FOUND') return []
        throw inventoryError
      }
    },
    async readObject(_bucket: string, key: string, readOptions: ReadObjectOptions = {}): Promise<Uint8Array | undefined> {
      count('read')
      try {
        const file = await resolve(key)
        if (readOptions.maxBytes === undefined) return await fs.promises.readFile(file)
        // One byte more than allowed tells the caller the file is too large, without reading it all.
        const parts: Uint8Array[] = []
        let length = 0
        for await (const chunk of fs.createReadStream(file, { end: readOptions.maxBytes, highWaterMark: 64 * 1024 })) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
          parts.push(bytes)
          length += bytes.byteLength
          // Not every file system honours `end` (memfs does not).
          if (length > readOptions.maxBytes) break
        }
        return Buffer.concat(parts).subarray(0, readOptions.maxBytes + 1)
      } catch (error) {
        const inventoryError = failure(error, key)
        if (inventoryError.code === 'NOT_FOUND') return undefined
        throw inventoryError
      }
    },
    async *streamObject(_bucket: string, key: string, streamOptions: StreamObjectOptions = {}): AsyncGenerator<Uint8Array> {
      count('read')
      try {
        const stream = fs.createReadStream(await resolve(key), { start: streamOptions.start ?? 0, highWaterMark: 1024 * 1024 })
        for await (const chunk of stream) {
          yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk
        }
      } catch (error) {
        throw failure(error, key)
      }
    },
    requestCounts: () => ({ ...counts }),
  }
}
