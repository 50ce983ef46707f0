import { appendFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { ScratchSpace } from '../scratch.js'

/** Options of {@link createFileScratch}. */
export interface FileScratchOptions {
  /** Parent directory of the scratch directory. @default os.tmpdir() */
  parent?: string | undefined
  /**
   * Characters buffered across all spills before they are written out; bounds the memory of phase A
   * whatever the number of spills. @default 1 Mi
   */
  flushBytes?: number | undefined
}

/**
 * Scratch space in a fresh temporary directory, removed by `dispose`. Appends are buffered (a bounded
 * total across spills) and written synchronously in large blocks, so the hot loop of phase A never waits on a promise.
 */
export function createFileScratch(options: FileScratchOptions = {}): ScratchSpace & { readonly directory: string } {
  const directory = mkdtempSync(path.join(options.parent ?? tmpdir(), 'shuttersense-import-'))
  const flushBytes = options.flushBytes ?? 1024 * 1024
  const buffers = new Map<string, { parts: string[]; length: number }>()
  let buffered = 0
  const fileOf = (name: string): string => path.join(directory, `${name.replace(/[^\w.-]/g, '_')}.spill`)
  const flush = (name: string): void => {
    const buffer = buffers.get(name)
    if (!buffer || buffer.parts.length === 0) return
    appendFileSync(fileOf(name), buffer.parts.join(''))
    buffered -= buffer.length
    buffer.parts.length = 0
    buffer.length = 0
  }
  let disposed = false

  return {
    directory,
    append(name, text) {
      let buffer = buffers.get(name)
      if (!buffer) {
        buffer = { parts: [], length: 0 }
        buffers.set(name, buffer)
      }
      buffer.parts.push(text)
      buffer.length += text.length
      buffered += text.length
      // Writing every spill at once keeps the blocks large (budget / spills) and the total bounded.
      if (buffered >= flushBytes) for (const spill of buffers.keys()) flush(spill)
    },
    async *read(name) {
      if (!buffers.has(name)) return
      flush(name)
      yield* createReadStream(fileOf(name), { encoding: 'utf8', highWaterMark: 1024 * 1024 }) as AsyncIterable<string>
    },
    async dispose() {
      if (disposed) return
      disposed = true
      buffers.clear()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
