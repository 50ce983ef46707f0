import { type RandomAccessFile, stageInMemory } from './io/random-access-file.js'

/**
 * Local scratch space for what an import must keep between phases without holding it in memory
 * (the records of every collection, between phase A and phases B/C). Named spills are appended to
 * and read back once. `dispose` removes everything.
 */
export interface ScratchSpace {
  /** Appends text to the spill `name` (created on first use). May buffer; `read` sees everything appended. */
  append(name: string, text: string): void
  /** Reads a spill back as text chunks, in the order appended. A spill never appended to reads as empty. */
  read(name: string): AsyncIterable<string>
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
