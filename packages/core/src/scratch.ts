import { type RandomAccessFile, stageInMemory } from './io/random-access-file.js'

/**
 * Local scratch space for what an import must keep between phases without holding it in memory
 * (the records of every collection, between phase A and phases B/C). Named spills are appended to
 * and read back once. `dispose` removes everything.
 */
export interface ScratchSpace {
  /** Appends text to the spill `name` (created on first use). May buffer; `read` sees everything appended. */
  append(name: string, text: string): void
  /**
   * Optional: appends UTF-8 bytes to the spill `name`, as `append` would append their text. Phase A
   * builds its spill lines as bytes; without this method they are decoded and go to `append`.
   */
  appendBytes?(name: string, bytes: Uint8Array): void
  /** Reads a spill back as text chunks, in the order appended. A spill never appended to reads as empty. */
  read(name: string): AsyncIterable<string>
  /**
   * Optional: reads a spill back as the UTF-8 bytes of its text, for a reader that parses bytes; without
   * this method, {@link readSpillBytes} encodes what `read` gives.
   */
  readBytes?(name: string): AsyncIterable<Uint8Array>
  /** Deletes every spill. Safe to call twice. */
  dispose(): Promise<void>
  /**
   * Scratch on disk only: a directory where other threads may write spill files of their own (in
   * directories they make inside it) and hand each over with {@link adoptFile}, instead of sending
   * their text through `append`.
   */
  readonly directory?: string
  /** Makes the file at `path` (inside `directory`) part of the spill `name`; `read` yields it too, and `dispose` deletes it. */
  adoptFile?(name: string, path: string): void
  /**
   * Copies a stream (a data file as it downloads) into scratch and opens the copy for random access,
   * for formats whose footer is at the end (Parquet, ORC). The copy is deleted when the returned file
   * is closed, and by `dispose` at the latest. `name` only names it in errors. Without this method,
   * callers stage in memory.
   */
  stageFile?(name: string, chunks: AsyncIterable<Uint8Array>): Promise<RandomAccessFile>
}

const utf8 = new TextDecoder()

/** Appends spill text or UTF-8 bytes to `scratch`, by `appendBytes` when it has it. */
export function appendSpill(scratch: ScratchSpace, name: string, lines: string | Uint8Array): void {
  if (typeof lines === 'string') scratch.append(name, lines)
  else if (scratch.appendBytes) scratch.appendBytes(name, lines)
  else scratch.append(name, utf8.decode(lines))
}

const utf8Encoder = new TextEncoder()

/** A spill's UTF-8 bytes, by `readBytes` when `scratch` has it. */
export async function* readSpillBytes(scratch: ScratchSpace, name: string): AsyncGenerator<Uint8Array> {
  if (scratch.readBytes) {
    yield* scratch.readBytes(name)
    return
  }
  for await (const text of scratch.read(name)) yield utf8Encoder.encode(text)
}

/** Scratch space in memory: for tests and small inventories. */
export function createMemoryScratch(): ScratchSpace {
  const spills = new Map<string, string[]>()
  return {
    append(name, text) {
      const parts = spills.get(name)
      if (parts) parts.push(text)
      else spills.set(name, [text])
    },
    async *read(name) {
      yield* spills.get(name) ?? []
    },
    async dispose() {
      spills.clear()
    },
    stageFile: (name, chunks) => stageInMemory(chunks, name),
  }
}
