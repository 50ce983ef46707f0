import type { S3Client } from '@aws-sdk/client-s3'
import type { RequestCounter } from './request-counter.js'
import type { ResolvedRetryOptions } from './retry.js'

/** What every S3 call of this package needs: the client, how to retry, where to count requests. */
export interface S3Context {
  client: S3Client
  retry: ResolvedRetryOptions
  counter: RequestCounter
  /** MaxKeys of each ListObjectsV2 page (S3 caps it at 1000). */
  pageSize: number
}

// Sources keep their context here rather than on a public property, so `listLive` and
// `validateInventoryAccess` can share a source's client, retry settings and counters without
// widening its API.
const contexts = new WeakMap<object, S3Context>()

/** Attaches `context` to `owner` (a source). */
export function setContext(owner: object, context: S3Context): void {
  contexts.set(owner, context)
}

/** The context attached to `owner`, if it is a source of this package. */
export function getContext(owner: object): S3Context | undefined {
  return contexts.get(owner)
}
