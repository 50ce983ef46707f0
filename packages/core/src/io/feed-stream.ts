import type { Duplex } from 'node:stream'

/** Options of {@link readWhileFeeding}. */
export interface FeedOptions<T> {
  /** Called with each input chunk before it is written (e.g. to count bytes). */
  onInput?: ((chunk: T) => void) | undefined
  /**
   * Turns an error of the stream itself (not of the input) into the error to throw, e.g. to name the
   * file. Input errors always pass through unchanged.
   */
  mapStreamError?: ((error: unknown) => unknown) | undefined
}

/**
 * Writes `input` into a Node duplex stream (zlib, csv-parse) while yielding what it outputs, with back
 * pressure both ways. If the input fails, the stream is destroyed and the input's error is thrown as is;
 * if the consumer stops early, the stream is destroyed and feeding stops (a destroyed stream never emits
 * 'drain', so feeding also waits for 'close').
 */
export async function* readWhileFeeding<T, Out>(
  stream: Duplex,
  input: AsyncIterable<T>,
  options: FeedOptions<T> = {},
): AsyncGenerator<Out> {
  let inputFailure: { error: unknown } | undefined
  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        if (stream.destroyed) return
        options.onInput?.(chunk)
        if (!stream.write(chunk)) await drainOrClose(stream)
      }
      if (!stream.destroyed) stream.end()
    } catch (error) {
      inputFailure = { error }
      stream.destroy(error as Error)
    }
  })()
  try {
    for await (const out of stream as AsyncIterable<Out>) yield out
  } catch (error) {
    if (inputFailure) throw inputFailure.error
    throw options.mapStreamError ? options.mapStreamError(error) : error
  } finally {
    if (!stream.destroyed) stream.destroy()
    await feeding
  }
  if (inputFailure) throw inputFailure.error
}

function drainOrClose(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.once('drain', done)
    stream.once('close', done)
  })
}
