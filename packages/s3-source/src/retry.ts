import pRetry from 'p-retry'
import { abortedError, isTransientError, toInventoryError, type S3ErrorContext } from './errors.js'

/** How transient failures are retried: exponential backoff with jitter. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 5 */
  retries?: number | undefined
  /** Milliseconds before the first retry. @default 500 */
  minTimeout?: number | undefined
  /** Longest wait between two attempts, in milliseconds. @default 20000 */
  maxTimeout?: number | undefined
  /** Growth of the wait per retry. @default 2 */
  factor?: number | undefined
  /** Multiply each wait by a random factor in [1, 2), so clients do not retry in lockstep. @default true */
  randomize?: boolean | undefined
}

/** {@link RetryOptions} with every default filled in. */
export type ResolvedRetryOptions = Required<{ [K in keyof RetryOptions]: NonNullable<RetryOptions[K]> }>

/** Fills in the defaults of {@link RetryOptions}. */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    retries: options.retries ?? 5,
    minTimeout: options.minTimeout ?? 500,
    maxTimeout: options.maxTimeout ?? 20_000,
    factor: options.factor ?? 2,
    randomize: options.randomize ?? true,
  }
}

/**
 * Runs `attempt` until it succeeds, a permanent error occurs, the retries are used up or `signal` fires.
 * Whatever escapes is an `InventoryError` (`ABORTED` when the signal fired, otherwise mapped from the
 * last SDK error by {@link toInventoryError}).
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: ResolvedRetryOptions,
  context: S3ErrorContext & { signal?: AbortSignal | undefined },
): Promise<T> {
  const { signal } = context
  try {
    return await pRetry(attempt, {
      ...options,
      signal,
      shouldRetry: ({ error }) => !signal?.aborted && isTransientError(error),
    })
  } catch (error) {
    if (signal?.aborted) throw abortedError(signal, context.key)
    throw toInventoryError(error, context)
  }
}

/**
 * The wait before retry number `retry` (1-based), computed the way p-retry does, for the one retry loop
 * p-retry cannot drive: resuming a body stream that broke after bytes were already handed out.
 */
export function retryDelay(retry: number, options: ResolvedRetryOptions): number {
  const random = options.randomize ? Math.random() + 1 : 1
  return Math.min(Math.round(random * options.minTimeout * options.factor ** (retry - 1)), options.maxTimeout)
}

/** Waits `ms`, or throws `ABORTED` as soon as `signal` fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, file?: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortedError(signal, file))
  if (ms <= 0) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(abortedError(signal, file))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
