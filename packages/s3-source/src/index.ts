export {
  createS3Source,
  listLive,
  type ListLiveOptions,
  type S3Source,
  type S3SourceOptions,
} from './s3-source.js'
export { buildS3Client, type S3ClientOptions } from './client.js'
export { toFileInfo } from './list-live.js'
export {
  validateInventoryAccess,
  type InventoryAccessFailure,
  type InventoryAccessOk,
  type InventoryAccessProblem,
  type InventoryAccessResult,
  type LatestInventoryInfo,
  type ValidateInventoryAccessOptions,
} from './validate-access.js'
// Moved to core (the server shows it without loading the AWS SDK); kept here for existing callers.
export { listRequestsSaved } from '@shuttersense/inventory-core/pure'
export type { ListRequestsSaved, ListRequestsSavedInput } from '@shuttersense/inventory-core/types'
export { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from './retry.js'
export { createRequestCounter, type RequestCounter } from './request-counter.js'
export { isTransientError, toInventoryError, type S3ErrorContext } from './errors.js'
