/**
 * NDJSON (one JSON value per line, `\n`-separated), as the agent API streams folders and FileInfo:
 * a 1M-file collection is a million small lines, never one JSON body that must be held whole.
 */

export const NDJSON_CONTENT_TYPE = 'application/x-ndjson'

/** One line of an NDJSON stream, 1-based. */
export interface NdjsonLine {
  number: number
  text: string
}

/** A line longer than the limit, or bytes that are not UTF-8. */
export class NdjsonFramingError extends Error {
  override readonly name = 'NdjsonFramingError'
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`)
  }
}

/**
 * Splits a byte stream into lines (blank lines are skipped; a last line without `\n` counts), one
 * array per chunk read: a line at a time through an async generator costs more than parsing it.
 * Holds one chunk and one partial line at a time.
 * @throws NdjsonFramingError for a line over `maxLineChars` or invalid UTF-8
 */
export async function* ndjsonLineBatches(
  chunks: AsyncIterable<Uint8Array | string>,
  options: { maxLineChars?: number | undefined } = {},
): AsyncGenerator<NdjsonLine[]> {
  const maxLineChars = options.maxLineChars ?? 16 * 1024 * 1024
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let partial = ''
  let number = 0
  const decode = (chunk: Uint8Array | string, stream: boolean): string => {
    if (typeof chunk === 'string') return chunk
    try {
      return decoder.decode(chunk, { stream })
    } catch {
      throw new NdjsonFramingError(number + 1, 'the bytes are not valid UTF-8')
    }
  }
  for await (const chunk of chunks) {
    const text = partial + decode(chunk, true)
    const lines: NdjsonLine[] = []
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      number++
      const line = text.slice(start, end)
      start = end + 1
      if (line.trim().length > 0) lines.push({ number, text: line })
    }
    partial = text.slice(start)
    if (lines.length > 0) yield lines
    if (partial.length > maxLineChars) throw new NdjsonFramingError(number + 1, `longer than ${maxLineChars} characters`)
  }
  partial += decode(new Uint8Array(0), false)
  if (partial.trim().length > 0) yield [{ number: number + 1, text: partial }]
}

/** One parsed line of an NDJSON stream. */
export interface NdjsonValue {
  number: number
  value: unknown
}

/** Parses each line as JSON, a chunk's lines at a time; a line that is not JSON throws {@link NdjsonFramingError} naming it. */
export async function* ndjsonValueBatches(
  chunks: AsyncIterable<Uint8Array | string>,
  options: { maxLineChars?: number | undefined } = {},
): AsyncGenerator<NdjsonValue[]> {
  for await (const lines of ndjsonLineBatches(chunks, options)) {
    const values: NdjsonValue[] = new Array(lines.length)
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!
      try {
        values[i] = { number: line.number, value: JSON.parse(line.text) }
      } catch {
        throw new NdjsonFramingError(line.number, 'not valid JSON')
      }
    }
    yield values
  }
}

/** {@link ndjsonValueBatches}, value by value. */
export async function* ndjsonValues(
  chunks: AsyncIterable<Uint8Array | string>,
  options: { maxLineChars?: number | undefined } = {},
): AsyncGenerator<NdjsonValue> {
  for await (const values of ndjsonValueBatches(chunks, options)) yield* values
}

/** Values as NDJSON text, about `chunkChars` characters per chunk. */
export async function* toNdjson(
  values: Iterable<unknown> | AsyncIterable<unknown>,
  chunkChars = 256 * 1024,
): AsyncGenerator<string> {
  let buffer = ''
  for await (const value of values) {
    buffer += `${JSON.stringify(value)}\n`
    if (buffer.length >= chunkChars) {
      yield buffer
      buffer = ''
    }
  }
  if (buffer.length > 0) yield buffer
}
