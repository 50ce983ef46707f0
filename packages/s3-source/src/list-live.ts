import type { _Object } from '@aws-sdk/client-s3'
import { type FileInfo } from '@shuttersense/inventory-core'
import { normalizeEtag } from '@shuttersense/inventory-core/internal'
import type { S3Context } from './context.js'
import { listObjectPages } from './list-pages.js'

/**
 * Every object under `prefix` as FileInfo, one batch per ListObjectsV2 page (no delimiter; an empty
 * listing yields nothing). The engine of `listLive` and `S3Source.listLive`.
 */
export async function* listFileInfoPages(
  context: S3Context,
  bucket: string,
  prefix: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<FileInfo[]> {
  for await (const page of listObjectPages(context, { bucket, prefix, signal })) {
    const contents = page.Contents ?? []
    if (contents.length > 0) yield contents.map(toFileInfo)
  }
}

/**
 * One listed object as FileInfo, in the form an inventory import stores it: ETag without quotes,
 * `LastModified` as ISO 8601 UTC with milliseconds.
 */
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
