import { GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3'
import { InventoryError } from '@shuttersense/inventory-core'
import type { StreamObjectOptions } from '@shuttersense/inventory-core/types'
import { toByteIterable, type ByteInput } from '@shuttersense/inventory-core/internal'
import type { S3Context } from './context.js'
import { abortedError, errorCode, httpStatus, isTransientError, toInventoryError } from './errors.js'
import { retryDelay, sleep, withRetry } from './retry.js'

/**
 * Streams an object from `start` to its end, chunk by chunk as the body arrives (never the whole object
 * in memory). When the body breaks mid-way (connection reset, timeout, cut short), it waits with backoff
 * and asks for the rest with `Range: bytes=<next byte>-` and `If-Match: <ETag of the first response>`,
 * so the bytes yielded are exactly the object's, once each, and a changed object is never spliced.
 * The retry budget counts breaks in a row without progress; any progress starts it afresh.
 */
export async function* streamResumable(
  context: S3Context,
  bucket: string,
  key: string,
  options: StreamObjectOptions = {},
): AsyncGenerator<Uint8Array> {
  const { signal } = options
  const errorContext = { operation: 'GetObject', bucket, key }
  let offset = options.start ?? 0
  let etag: string | undefined
  let size: number | undefined
  let breaksWithoutProgress = 0

  for (;;) {
    if (size !== undefined && offset >= size) return
    const response = await open(context, bucket, key, offset, etag, signal)
    if (response === undefined) return
    etag ??= response.ETag
    size ??= objectSize(response)
    // A server that ignores Range sends the whole object again: skip what was already yielded.
    let skip = offset > 0 && response.ContentRange === undefined ? offset : 0
    const before = offset
    let failure: unknown
    try {
      for await (const chunk of bodyChunks(response.Body, signal)) {
        if (signal?.aborted) throw abortedError(signal, key)
        let bytes = chunk
        if (skip > 0) {
          const dropped = Math.min(skip, bytes.byteLength)
          skip -= dropped
          bytes = bytes.subarray(dropped)
          if (bytes.byteLength === 0) continue
        }
        offset += bytes.byteLength
        yield bytes
      }
      if (signal?.aborted) throw abortedError(signal, key)
      if (size === undefined || offset >= size) return
      failure = new Error(`the body ended after ${offset} of ${size} bytes`)
    } catch (error) {
      if (signal?.aborted) throw abortedError(signal, key)
      if (error instanceof InventoryError || !isTransientError(error)) {
        throw toInventoryError(error, errorContext)
      }
      failure = error
    }
    breaksWithoutProgress = offset > before ? 1 : breaksWithoutProgress + 1
    if (breaksWithoutProgress > context.retry.retries) {
      throw new InventoryError(
        'SOURCE_ERROR',
        `GetObject s3://${bucket}/${key}: the download kept breaking at byte ${offset}`,
        { file: key, byteOffset: offset, cause: failure },
      )
    }
    await sleep(retryDelay(breaksWithoutProgress, context.retry), signal, key)
  }
}

/**
 * One GetObject from `offset` (with retries for the request itself). `undefined` when `offset` is at or
 * past the end of the object (HTTP 416), which yields nothing, like reading a file from its end.
 */
async function open(
  context: S3Context,
  bucket: string,
  key: string,
  offset: number,
  etag: string | undefined,
  signal: AbortSignal | undefined,
): Promise<GetObjectCommandOutput | undefined> {
  const request = {
    Bucket: bucket,
    Key: key,
    Range: offset > 0 ? `bytes=${offset}-` : undefined,
    IfMatch: offset > 0 ? etag : undefined,
  }
  try {
    return await withRetry(
      async () => {
        context.counter.count('GetObject')
        try {
          return await context.client.send(new GetObjectCommand(request), { abortSignal: signal })
        } catch (error) {
          const pastTheEnd = httpStatus(error) === 416 || errorCode(error) === 'InvalidRange'
          if (offset > 0 && pastTheEnd) return undefined
          throw error
        }
      },
      context.retry,
      { operation: 'GetObject', bucket, key, signal },
    )
  } catch (error) {
    if (error instanceof InventoryError && errorCode(error.cause) === 'PreconditionFailed') {
      throw new InventoryError(
        'SOURCE_ERROR',
        `GetObject s3://${bucket}/${key}: the object changed while it was read`,
        { file: key, byteOffset: offset, cause: error.cause },
      )
    }
    throw error
  }
}

/** The object's size from `Content-Range` (`bytes 10-99/100`) or, for a whole-object reply, its length. */
function objectSize(response: GetObjectCommandOutput): number | undefined {
  if (response.ContentRange !== undefined) {
    const total = /\/(\d+)\s*$/.exec(response.ContentRange)?.[1]
    return total === undefined ? undefined : Number(total)
  }
  return response.ContentLength
}

/**
 * The chunks of a response body. The signal destroys the body so a read waiting on a stalled socket
 * ends at once instead of when the data (or a timeout) arrives.
 */
async function* bodyChunks(
  body: GetObjectCommandOutput['Body'],
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  if (body === undefined) return
  const destroy = (): void => {
    const stream = body as { destroy?: (error?: Error) => void }
    stream.destroy?.(new Error('aborted by the caller'))
  }
  signal?.addEventListener('abort', destroy, { once: true })
  try {
    yield* toByteIterable(body as ByteInput)
  } finally {
    signal?.removeEventListener('abort', destroy)
  }
}
