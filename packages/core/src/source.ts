/** Options every source call takes. */
export interface SourceCallOptions {
  /** Aborts the call: the source stops and rejects with `InventoryError` `ABORTED`. */
  signal?: AbortSignal | undefined
}

/**
 * Where inventory reports are read from: S3 (`@shuttersense/inventory-s3`), a local copy of the
 * destination bucket (`createLocalDirectorySource` in `@shuttersense/inventory-core/node`), or a test double.
 *
 * Missing objects are reported as `undefined` (readObject) or as an `InventoryError` with code
 * `NOT_FOUND` (streamObject); permission problems as `ACCESS_DENIED`; anything else as `SOURCE_ERROR`.
 */
export interface ObjectSource {
  /**
   * The common prefixes (sub-folders) directly under `prefix` (which ends in `/`), as full key prefixes
   * ending in `/`, across all pages. Order is not significant.
   */
  listFolders(bucket: string, prefix: string, options?: SourceCallOptions): Promise<string[]>
  /**
   * A small object's bytes (manifest, checksum), or `undefined` when it does not exist. With
   * `maxBytes`, a source should stop reading after `maxBytes + 1` bytes: the caller sees that the
   * object is too large without the source holding all of it.
   */
  readObject(bucket: string, key: string, options?: ReadObjectOptions): Promise<Uint8Array | undefined>
  /**
   * Streams an object from byte `start` (default 0) to its end. A source may retry and resume broken
   * downloads internally; the bytes it yields are exactly the object's, once each.
   */
  streamObject(bucket: string, key: string, options?: StreamObjectOptions): AsyncIterable<Uint8Array>
  /** Requests made so far, by type (`ListObjectsV2`, `GetObject`, …), for cost figures. */
  requestCounts?(): Record<string, number>
  /**
   * How messages name an object or prefix of this source: a local source names a path, not
   * `s3://<path>`. @default `s3://bucket/key`
   */
  displayName?(bucket: string, key: string): string
}

/** How error messages name `key` of `bucket` in `source` ({@link ObjectSource.displayName}, else `s3://bucket/key`). */
export function objectDisplayName(source: ObjectSource, bucket: string, key: string): string {
  return source.displayName?.(bucket, key) ?? `s3://${bucket}/${key}`
}

/** Options of {@link ObjectSource.streamObject}. */
export interface StreamObjectOptions extends SourceCallOptions {
  /** First byte to stream (a resumed download). @default 0 */
  start?: number | undefined
}

/** Options of {@link ObjectSource.readObject}. */
export interface ReadObjectOptions extends SourceCallOptions {
  /** Largest object the caller takes: a source stops after `maxBytes + 1` bytes (see {@link ObjectSource.readObject}). @default no limit */
  maxBytes?: number | undefined
}
