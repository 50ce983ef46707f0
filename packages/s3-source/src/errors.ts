import { InventoryError, type InventoryErrorCode } from '@shuttersense/inventory-core'

/** The fields of an SDK (or Node network) error this package looks at. */
interface ErrorFields {
  name?: unknown
  code?: unknown
  Code?: unknown
  message?: unknown
  $retryable?: unknown
  $metadata?: { httpStatusCode?: unknown }
}

/** Error codes S3 (and the SDK's shared AWS layer) uses for throttling; each means "slow down and retry". */
const THROTTLING_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'ProvisionedThroughputExceededException',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
])

/** Server-side codes that are worth another try (S3 documents them as retryable). */
const TRANSIENT_CODES = new Set([
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'OperationAborted',
])

/** Socket-level failures: the connection broke, not the request. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
])

const ACCESS_CODES = new Set([
  'AccessDenied',
  'AllAccessDisabled',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AccountProblem',
])

/** Codes meaning "the client talks to the wrong region for this bucket". */
const REGION_CODES = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
])

function fields(error: unknown): ErrorFields {
  return typeof error === 'object' && error !== null ? (error as ErrorFields) : {}
}

/** The S3 error code (`NoSuchKey`, `SlowDown`, …) or Node error code (`ECONNRESET`) of `error`, if any. */
export function errorCode(error: unknown): string | undefined {
  const f = fields(error)
  for (const value of [f.Code, f.code, f.name]) {
    if (typeof value === 'string' && value.length > 0 && value !== 'Error') return value
  }
  return undefined
}

/** The HTTP status of an SDK error, if it got that far. */
export function httpStatus(error: unknown): number | undefined {
  const status = fields(error).$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

function codes(error: unknown): string[] {
  const f = fields(error)
  return [f.Code, f.code, f.name].filter((value): value is string => typeof value === 'string')
}

/**
 * True for failures another attempt may fix: 5xx, 429, throttling codes, broken or timed-out
 * connections. Permanent failures (403, 404, bad requests) are false so they fail at once.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof InventoryError) return false
  const retryable = (code: string): boolean =>
    THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code)
  if (codes(error).some(retryable)) return true
  const status = httpStatus(error)
  if (status !== undefined) return status >= 500 || status === 429
  if (fields(error).$retryable) return true
  // Node reports a body cut short by the server as a bare `Error: aborted` or "socket hang up".
  const message = fields(error).message
  return typeof message === 'string' && /socket hang up|^aborted$|premature close/i.test(message)
}

/** True when a GetObject failed because the key does not exist (not the bucket). */
export function isMissingKey(error: unknown): boolean {
  const all = codes(error)
  if (all.includes('NoSuchBucket')) return false
  return all.includes('NoSuchKey') || all.includes('NotFound') || httpStatus(error) === 404
}

/** True when the bucket itself does not exist. */
export function isMissingBucket(error: unknown): boolean {
  return codes(error).includes('NoSuchBucket')
}

/** True when `error` says the bucket lives in another region than the client's. */
export function isWrongRegion(error: unknown): boolean {
  return codes(error).some((code) => REGION_CODES.has(code)) || httpStatus(error) === 301
}

/** What an S3 call was about, for error messages. */
export interface S3ErrorContext {
  operation: string
  bucket: string
  key?: string | undefined
}

/**
 * Maps an SDK or network error to the {@link InventoryError} code callers switch on:
 * 403 → `ACCESS_DENIED`, missing bucket or key → `NOT_FOUND`, anything else → `SOURCE_ERROR`.
 * The original error stays available as `cause`.
 */
export function toInventoryError(error: unknown, context: S3ErrorContext): InventoryError {
  if (error instanceof InventoryError) return error
  const where = `s3://${context.bucket}/${context.key ?? ''}`
  const code = errorCode(error) ?? 'unknown error'
  const message = fields(error).message
  const detail = typeof message === 'string' && message.length > 0 ? `${code}: ${message}` : code
  const fail = (inventoryCode: InventoryErrorCode, text: string): InventoryError =>
    new InventoryError(inventoryCode, `${context.operation} ${where}: ${text}`, {
      file: context.key ?? where,
      cause: error,
    })
  if (isMissingBucket(error)) return fail('NOT_FOUND', `bucket "${context.bucket}" does not exist`)
  if (codes(error).some((c) => ACCESS_CODES.has(c)) || httpStatus(error) === 403) {
    return fail('ACCESS_DENIED', `access denied (${detail})`)
  }
  if (isMissingKey(error)) return fail('NOT_FOUND', 'no such key')
  if (isWrongRegion(error)) {
    return fail('SOURCE_ERROR', `the bucket is in another region than the client's (${detail})`)
  }
  return fail('SOURCE_ERROR', detail)
}

/** The `ABORTED` error thrown when the caller's signal fires. */
export function abortedError(signal: AbortSignal | undefined, file?: string): InventoryError {
  return new InventoryError('ABORTED', 'The operation was aborted.', {
    ...(file === undefined ? {} : { file }),
    cause: signal?.reason,
  })
}
