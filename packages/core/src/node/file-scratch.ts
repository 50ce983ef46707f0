import { isAscii } from 'node:buffer'
import { appendFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { ScratchSpace } from '../scratch.js'
import type { LocalRandomAccessFile } from '../io/random-access-file.js'
import { stageFileInDirectory } from './stage-file.js'

/** Options of {@link createFileScratch}. */
export interface FileScratchOptions {
  /** Parent directory of the scratch directory. @default os.tmpdir() */
  parent?: string | undefined
  /**
   * Bytes buffered across all spills before they are written out; bounds the memory of phase A
   * whatever the number of spills. @default 1 Mi
   */
  flushBytes?: number | undefined
}

/** Scratch on disk: {@link ScratchSpace} with its directory and the spill files it wrote. */
export interface FileScratch extends ScratchSpace {
  readonly directory: string
  /** See {@link ScratchSpace.appendBytes}; the bytes are kept until they are written, not copied. */
  appendBytes(name: string, bytes: Uint8Array): void
  adoptFile(name: string, path: string): void
  readBytes(name: string): AsyncIterable<Uint8Array>
  /** Stages under `directory/staged/`; see {@link ScratchSpace.stageFile}. */
  stageFile(name: string, chunks: AsyncIterable<Uint8Array>): Promise<LocalRandomAccessFile>
  /** Writes out what is buffered; answers the file of each spill appended to (not the adopted ones). */
  flush(): Map<string, string>
}

/**
 * Scratch space in a fresh temporary directory, removed by `dispose`. Appends are buffered (a bounded
 * total across spills) and written synchronously in large blocks, so the hot loop of phase A never waits on a promise.
 */
export function createFileScratch(options: FileScratchOptions = {}): FileScratch {
  const directory = mkdtempSync(path.join(options.parent ?? tmpdir(), 'shuttersense-import-'))
  const flushBytes = options.flushBytes ?? 1024 * 1024
  const buffers = new Map<string, { parts: Uint8Array[]; length: number }>()
  const adopted = new Map<string, string[]>()
  let buffered = 0
  const fileOf = (name: string): string => path.join(directory, `${name.replace(/[^\w.-]/g, '_')}.spill`)
  const flushOne = (name: string): void => {
    const buffer = buffers.get(name)
    if (!buffer || buffer.parts.length === 0) return
    appendFileSync(fileOf(name), buffer.parts.length === 1 ? buffer.parts[0]! : Buffer.concat(buffer.parts, buffer.length))
    buffered -= buffer.length
    buffer.parts.length = 0
    buffer.length = 0
  }
  /** The files of a spill, its buffered part written out first. */
  const spillFiles = (name: string): string[] => {
    const files = [...(buffers.has(name) ? [fileOf(name)] : []), ...(adopted.get(name) ?? [])]
    flushOne(name)
    return files
  }
  let disposed = false
  /** Keeps `bytes` (not copied: the caller hands them over) until the next flush. */
  const appendBytes = (name: string, bytes: Uint8Array): void => {
    let buffer = buffers.get(name)
    if (!buffer) {
      buffer = { parts: [], length: 0 }
      buffers.set(name, buffer)
    }
    buffer.parts.push(bytes)
    buffer.length += bytes.length
    buffered += bytes.length
    // Writing every spill at once keeps the blocks large (budget / spills) and the total bounded.
    if (buffered >= flushBytes) for (const spill of buffers.keys()) flushOne(spill)
  }

  return {
    directory,
    append(name, text) {
      appendBytes(name, Buffer.from(text, 'utf8'))
    },
    appendBytes,
    adoptFile(name, file) {
      const files = adopted.get(name)
      if (files) files.push(file)
      else adopted.set(name, [file])
    },
    flush() {
      const files = new Map<string, string>()
      for (const name of buffers.keys()) {
        flushOne(name)
        files.set(name, fileOf(name))
      }
      return files
    },
    async *read(name) {
      for (const file of spillFiles(name)) yield* readUtf8Text(file)
    },
    async *readBytes(name) {
      for (const file of spillFiles(name)) yield* createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>
    },
    stageFile(name, chunks) {
      return stageFileInDirectory(directory, name, chunks)
    },
    async dispose() {
      if (disposed) return
      disposed = true
      buffers.clear()
      adopted.clear()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}

/**
 * A UTF-8 file's text in pieces of about 1 MiB, each cut at a character boundary, so each piece decodes
 * on its own: as Latin-1 when it is ASCII (nearly every spill piece), several times faster than UTF-8.
 */
async function* readUtf8Text(file: string): AsyncGenerator<string> {
  let carry: Buffer | undefined
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk])
    const cut = completeUtf8Length(bytes)
    carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined
    if (cut > 0) yield decodeUtf8(bytes.subarray(0, cut))
  }
  // A sequence cut short at the end of the file decodes to U+FFFD, as any UTF-8 decoder does.
  if (carry !== undefined) yield decodeUtf8(carry)
}

/** How many leading bytes of `bytes` hold whole characters: all but a multi-byte sequence cut short at the end. */
function completeUtf8Length(bytes: Uint8Array): number {
  let start = bytes.length - 1
  // Back over at most three continuation bytes (10xxxxxx) to the byte that starts the last character.
  while (start >= 0 && bytes.length - start <= 3 && (bytes[start]! & 0xc0) === 0x80) start--
  if (start < 0) return bytes.length
  const lead = bytes[start]!
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
  return bytes.length - start >= length ? bytes.length : start
}

function decodeUtf8(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8')
}

