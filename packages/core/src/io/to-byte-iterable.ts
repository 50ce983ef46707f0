import { Readable } from 'node:stream'

/** Anything that can be read as bytes. */
export type ByteInput = Uint8Array | ReadableStream<Uint8Array> | Readable | AsyncIterable<Uint8Array>

/**
 * The one place that turns Uint8Array, web `ReadableStream`, Node `Readable` or any async iterable of
 * bytes into `AsyncIterable<Uint8Array>`. Breaking out of the loop releases the underlying stream.
 */
export async function* toByteIterable(input: ByteInput): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array) {
    yield input
    return
  }
  if (typeof (input as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (input as ReadableStream<Uint8Array>).getReader()
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        yield value
      }
    } finally {
      await reader.cancel().catch(() => undefined)
      reader.releaseLock()
    }
  }
  const iterable = input as AsyncIterable<Uint8Array>
  try {
    for await (const chunk of iterable) yield chunk
  } finally {
    if (input instanceof Readable && !input.destroyed) input.destroy()
  }
}

/**
 * Reads every byte of `input` into one buffer (only for small objects such as manifests); with
 * `maxBytes`, stops (closing the input) once more than that many were read.
 */
export async function readAllBytes(input: ByteInput, maxBytes = Infinity): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let length = 0
  for await (const chunk of toByteIterable(input)) {
    parts.push(chunk)
    length += chunk.byteLength
    if (length > maxBytes) break
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}
