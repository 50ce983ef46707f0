import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3'
import { InventoryError } from '@shuttersense/inventory-core'
import { throwIfAborted } from '@shuttersense/inventory-core/internal'
import type { S3Context } from './context.js'
import { withRetry } from './retry.js'

/** What to list. */
export interface ListPagesInput {
  bucket: string
  prefix: string
  /** `'/'` to get common prefixes (sub-folders) instead of every key below. */
  delimiter?: string | undefined
  signal?: AbortSignal | undefined
}

/**
 * Every page of a ListObjectsV2 listing, each fetched with retries. A truncated page must carry a new
 * continuation token: a missing or repeated one throws `SOURCE_ERROR` instead of looping forever
 * (some S3-compatible servers have returned the same token again).
 */
export async function* listObjectPages(
  context: S3Context,
  input: ListPagesInput,
): AsyncGenerator<ListObjectsV2CommandOutput> {
  const { bucket, prefix, signal } = input
  let token: string | undefined
  for (;;) {
    throwIfAborted(signal)
    const request = {
      Bucket: bucket,
      Prefix: prefix,
      Delimiter: input.delimiter,
      MaxKeys: context.pageSize,
      ContinuationToken: token,
    }
    const page = await withRetry(
      () => {
        context.counter.count('ListObjectsV2')
        return context.client.send(new ListObjectsV2Command(request), { abortSignal: signal })
      },
      context.retry,
      { operation: 'ListObjectsV2', bucket, key: prefix, signal },
    )
    yield page
    if (!page.IsTruncated) return
    const next = page.NextContinuationToken
    if (next === undefined || next.length === 0 || next === token) {
      throw new InventoryError(
        'SOURCE_ERROR',
        `ListObjectsV2 s3://${bucket}/${prefix}: a truncated page came back without a new continuation token`,
        { file: prefix },
      )
    }
    token = next
  }
}
