import type { S3Client, _Object } from '@aws-sdk/client-s3'
import { normalizeEtag, type FileInfo } from '@shuttersense/inventory-core'
import { listObjectPages } from './list-pages.js'
import type { RetryOptions } from './retry.js'
import { contextOf, type S3Source } from './s3-source.js'

/** Options of {@link listLive}. */
export interface ListLiveOptions {
  signal?: AbortSignal | undefined
  /** Retries when `listLive` gets a bare client (a source brings its own). */
  retry?: RetryOptions | undefined
}

/**
 * "Refresh from S3": lists every object under `prefix` now, with paginated ListObjectsV2 (no delimiter),
 * and yields one batch of FileInfo per page (an empty listing yields nothing), in the form an inventory
 * import stores (ETag without quotes, ISO timestamps). Pass a source from `createS3Source` to share its
 * retries and request counts.
 * @throws InventoryError `NOT_FOUND` (no such bucket), `ACCESS_DENIED`, `SOURCE_ERROR`, `ABORTED`.
 */
export async function* listLive(
  clientOrSource: S3Client | S3Source,
  bucket: string,
  prefix: string,
  options: ListLiveOptions = {},
): AsyncGenerator<FileInfo[]> {
  const context = contextOf(clientOrSource, options.retry)
  for await (const page of listObjectPages(context, { bucket, prefix, signal: options.signal })) {
    const contents = page.Contents ?? []
    if (contents.length > 0) yield contents.map(toFileInfo)
  }
}

/** One listed object as FileInfo. */
export function toFileInfo(object: _Object): FileInfo {
  return {
    key: object.Key ?? '',
    size: object.Size ?? 0,
    lastModified: (object.LastModified ?? new Date(0)).toISOString(),
    etag: normalizeEtag(object.ETag ?? ''),
    // ListObjectsV2 always sends it for S3; some compatible servers leave it out for the default class.
    storageClass: object.StorageClass ?? 'STANDARD',
  }
}
