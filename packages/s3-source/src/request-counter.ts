/** Counts requests by type (`ListObjectsV2`, `GetObject`, …); every attempt counts, retries included. */
export interface RequestCounter {
  /** Adds one request of `type`. */
  count(type: string): void
  /** A copy of the counts so far. */
  snapshot(): Record<string, number>
}

/** Creates an empty {@link RequestCounter}. */
export function createRequestCounter(): RequestCounter {
  const counts: Record<string, number> = {}
  return {
    count(type) {
      counts[type] = (counts[type] ?? 0) + 1
    },
    snapshot: () => ({ ...counts }),
  }
}
