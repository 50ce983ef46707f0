import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'

/** How to build an `S3Client` when the caller does not pass one. */
export interface S3ClientOptions {
  /** AWS region. @default the standard chain (`AWS_REGION`, shared config file, …) */
  region?: string | undefined
  /** Endpoint of an S3-compatible server (MinIO, s3rver, …). */
  endpoint?: string | undefined
  /** Address buckets as `endpoint/bucket`, not `bucket.endpoint` (most S3-compatible servers need it). */
  forcePathStyle?: boolean | undefined
  /**
   * Credentials or a provider.
   * @default the standard chain (environment, shared files, SSO, instance role, …)
   */
  credentials?: S3ClientConfig['credentials'] | undefined
  /** Any other client setting (request handler timeouts, checksum modes, …); the fields above win. */
  clientConfig?: S3ClientConfig | undefined
}

/**
 * Builds an `S3Client`. The SDK's own retries are off (`maxAttempts: 1`) unless `clientConfig` sets
 * them: this package retries itself, so backoff is not applied twice and every attempt is counted.
 * Redirects to the bucket's real region are followed unless `clientConfig` says otherwise.
 */
export function buildS3Client(options: S3ClientOptions): S3Client {
  const config: S3ClientConfig = {
    followRegionRedirects: true,
    ...options.clientConfig,
    maxAttempts: options.clientConfig?.maxAttempts ?? 1,
  }
  if (options.region !== undefined) config.region = options.region
  if (options.endpoint !== undefined) config.endpoint = options.endpoint
  if (options.forcePathStyle !== undefined) config.forcePathStyle = options.forcePathStyle
  if (options.credentials !== undefined) config.credentials = options.credentials
  return new S3Client(config)
}
