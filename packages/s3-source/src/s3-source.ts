import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { FileInfo, ObjectSource } from '@shuttersense/inventory-core'
import type { ReadObjectOptions, SourceCallOptions } from '@shuttersense/inventory-core/types'
import { readAllBytes, type ByteInput } from '@shuttersense/inventory-core/internal'
import { buildS3Client, type S3ClientOptions } from './client.js'
import { getContext, setContext, type S3Context } from './context.js'
import { isMissingKey } from './errors.js'
import { listFileInfoPages } from './list-live.js'
import { listObjectPages } from './list-pages.js'
import { createRequestCounter } from './request-counter.js'
import { streamResumable } from './resumable-body.js'
import { resolveRetryOptions, withRetry, type RetryOptions } from './retry.js'

/** Options of {@link createS3Source}. */
export interface S3SourceOptions extends S3ClientOptions {
  /** A client to use as is; the client fields of these options are then ignored. */
  client?: S3Client | undefined
  /** Retries of transient failures. */
  retry?: RetryOptions | undefined
  /** Keys per ListObjectsV2 page (S3 returns at most 1000). @default 1000 */
  pageSize?: number | undefined
}

/** The S3 {@link ObjectSource}, with its client and request counts. */
export interface S3Source extends ObjectSource {
  /** The client the source sends requests with. */
  readonly client: S3Client
  /**
   * "Refresh from S3": every object under `prefix` now, through paginated ListObjectsV2 (one request
   * per 1000 keys), as batches of FileInfo (one per page) in the shape an inventory import stores.
   * @throws InventoryError `NOT_FOUND` (no such bucket), `ACCESS_DENIED`, `SOURCE_ERROR`, `ABORTED`.
   */
  listLive(bucket: string, prefix: string, options?: SourceCallOptions): AsyncIterable<FileInfo[]>
  /** Requests made so far by type (`ListObjectsV2`, `GetObject`, …), every retry included. */
  requestCounts(): Record<string, number>
  /** Closes the client's sockets when the source built it; a client passed in is left to its owner. */
  destroy(): void
}

/**
 * Creates the S3 source the import pipeline reads inventories through: `listFolders` (ListObjectsV2 with
 * `Delimiter: '/'`, every page), `readObject` (GetObject of a manifest or checksum; `undefined` when the
 * key does not exist) and `streamObject` (GetObject streamed as it arrives, retried and resumed with
 * `Range` when it breaks). Transient failures are retried with exponential backoff and jitter; 403 fails
 * at once with `ACCESS_DENIED`, a missing bucket or key with `NOT_FOUND`, the rest with `SOURCE_ERROR`.
 *
 * A client passed in should have the SDK's own retries off (`maxAttempts: 1`), otherwise they stack with
 * these and `requestCounts` misses them. A client built here does that already.
 */
export function createS3Source(options: S3SourceOptions = {}): S3Source {
  const client = options.client ?? buildS3Client(options)
  const context: S3Context = {
    client,
    retry: resolveRetryOptions(options.retry),
    counter: createRequestCounter(),
    pageSize: Math.max(1, Math.min(1000, options.pageSize ?? 1000)),
  }

  const source: S3Source = {
    client,
    async listFolders(bucket, prefix, callOptions: SourceCallOptions = {}): Promise<string[]> {
      const folders: string[] = []
      const pages = listObjectPages(context, { bucket, prefix, delimiter: '/', signal: callOptions.signal })
      for await (const page of pages) {
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix !== undefined) folders.push(common.Prefix)
        }
      }
      return folders
    },
    readObject(bucket, key, callOptions: ReadObjectOptions = {}): Promise<Uint8Array | undefined> {
      const { signal } = callOptions
      // The body is read inside the retried attempt: a small object that breaks mid-way is read again.
      return withRetry(
        async () => {
          context.counter.count('GetObject')
          let response
          try {
            const command = new GetObjectCommand({ Bucket: bucket, Key: key })
            response = await client.send(command, { abortSignal: signal })
          } catch (error) {
            if (isMissingKey(error)) return undefined
            throw error
          }
          if (response.Body === undefined) return new Uint8Array(0)
          // The SDK's signal covers the request, not the body: a stalled body ends when the caller aborts.
          const body = response.Body as ByteInput & { destroy?: (error?: Error) => void }
          const onAbort = (): void => {
            body.destroy?.(new Error('aborted'))
          }
          signal?.addEventListener('abort', onAbort, { once: true })
          try {
            return await readAllBytes(body, callOptions.maxBytes)
          } finally {
            signal?.removeEventListener('abort', onAbort)
          }
        },
        context.retry,
        { operation: 'GetObject', bucket, key, signal },
      )
    },
    streamObject: (bucket, key, streamOptions) => streamResumable(context, bucket, key, streamOptions),
    listLive: (bucket, prefix, callOptions = {}) =>
      listFileInfoPages(context, bucket, prefix, callOptions.signal),
    requestCounts: () => context.counter.snapshot(),
    destroy() {
      if (options.client === undefined) client.destroy()
    },
  }
  setContext(source, context)
  return source
}

/** The context of a source made by {@link createS3Source}, or a fresh one around a bare client. */
export function contextOf(clientOrSource: S3Client | S3Source, retry?: RetryOptions): S3Context {
  const existing = getContext(clientOrSource)
  if (existing) return existing
  return getContext(createS3Source({ client: clientOrSource as S3Client, retry }))!
}

/** Options of {@link listLive}. */
export interface ListLiveOptions {
  signal?: AbortSignal | undefined
  /** Retries when `listLive` gets a bare client (a source brings its own). */
  retry?: RetryOptions | undefined
}

/**
 * {@link S3Source.listLive} for a source or a bare `S3Client`: every object under `prefix`, listed now
 * with paginated ListObjectsV2, as one batch of FileInfo per page. A source shares its retries and
 * request counts; a bare client gets retries from `options.retry`.
 * @throws InventoryError `NOT_FOUND` (no such bucket), `ACCESS_DENIED`, `SOURCE_ERROR`, `ABORTED`.
 */
export function listLive(
  clientOrSource: S3Client | S3Source,
  bucket: string,
  prefix: string,
  options: ListLiveOptions = {},
): AsyncIterable<FileInfo[]> {
  return listFileInfoPages(contextOf(clientOrSource, options.retry), bucket, prefix, options.signal)
}
