/** Input of {@link listRequestsSaved}. */
export interface ListRequestsSavedInput {
  /** Objects in the bucket (the import's object count). */
  objectCount: number
  /** Requests the inventory import made: counts by type (`requestCounts()`), or their total. */
  requests: Record<string, number> | number
}

/** Requests of an inventory import against a full ListObjectsV2 crawl of the same bucket. */
export interface ListRequestsSaved {
  /** Requests the inventory import made (discovery, manifest, data files, retries). */
  inventoryRequests: number
  /** Requests a ListObjectsV2 crawl would make: one per 1000 keys, and one for an empty bucket. */
  listObjectsV2Requests: number
  /** `listObjectsV2Requests - inventoryRequests`; negative when listing the bucket is cheaper. */
  saved: number
  /** `saved` as a percentage of `listObjectsV2Requests`, one decimal. */
  savedPercent: number
}

/** S3 returns at most this many keys per ListObjectsV2 page. */
const KEYS_PER_LIST_PAGE = 1000

/**
 * The cost figure shown after an import: how many requests reading the inventory took, against the
 * ListObjectsV2 pages a crawl of the same bucket would need. Pure; counts requests, not prices.
 */
export function listRequestsSaved(input: ListRequestsSavedInput): ListRequestsSaved {
  const inventoryRequests =
    typeof input.requests === 'number'
      ? input.requests
      : Object.values(input.requests).reduce((sum, n) => sum + n, 0)
  const listObjectsV2Requests = Math.max(1, Math.ceil(Math.max(0, input.objectCount) / KEYS_PER_LIST_PAGE))
  const saved = listObjectsV2Requests - inventoryRequests
  return {
    inventoryRequests,
    listObjectsV2Requests,
    saved,
    savedPercent: Math.round((saved / listObjectsV2Requests) * 1000) / 10,
  }
}
