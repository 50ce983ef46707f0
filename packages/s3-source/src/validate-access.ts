import type { S3Client } from '@aws-sdk/client-s3'
import { isInventoryError, type InventoryErrorCode, type InventoryLocation, type ObjectSource } from '@shuttersense/inventory-core'
import { inventoryPrefix } from '@shuttersense/inventory-core/pure'
import type { InventoryFileFormat } from '@shuttersense/inventory-core/types'
import { findLatestInventory } from '@shuttersense/inventory-core/node'
import { manifestCreatedAt } from '@shuttersense/inventory-core/internal'
import { getContext } from './context.js'
import { isWrongRegion } from './errors.js'
import type { RetryOptions } from './retry.js'
import { createS3Source, type S3Source, type S3SourceOptions } from './s3-source.js'

/** What is wrong with a connector's inventory location, from the bucket down to the report. */
export type InventoryAccessProblem =
  /** The destination bucket does not exist. */
  | 'bucket_not_found'
  /** The credentials may not list the bucket (`s3:ListBucket`) or read the report (`s3:GetObject`). */
  | 'access_denied'
  /** The bucket talks to another region than the client's. */
  | 'wrong_region'
  /** Nothing under `[prefix/]source-bucket/config/`: a wrong name, or no report delivered yet. */
  | 'prefix_empty'
  /** Folders exist but none holds a complete report (`manifest.json` + `manifest.checksum`). */
  | 'no_manifest'
  /** The newest report's manifest is corrupt or fails its checksum. */
  | 'manifest_invalid'
  /** The location itself is malformed (an empty or `/`-containing name). */
  | 'invalid_location'
  /** Anything else (network, server). */
  | 'source_error'

/** The newest complete report, as the connector test shows it. */
export interface LatestInventoryInfo {
  /** Timestamp folder name, e.g. `2024-05-07T01-00Z`. */
  timestamp: string
  manifestKey: string
  fileFormat: InventoryFileFormat
  /** Number of data files the manifest lists. */
  dataFiles: number
  /** Total compressed size of the data files. */
  compressedBytes: number
  sourceBucket: string
  /** The manifest's creation time, ISO 8601. */
  createdAt: string
}

/** The location works: the newest report and the newer folders passed over. */
export interface InventoryAccessOk {
  ok: true
  latest: LatestInventoryInfo
  skipped: { folder: string; reason: string }[]
}

/** The location does not work, and why. */
export interface InventoryAccessFailure {
  ok: false
  problem: InventoryAccessProblem
  /** A sentence for the user saying what is missing and where. */
  message: string
  /** The underlying error's code. */
  code: InventoryErrorCode
  /** For `access_denied`: the permission the failed request needed. */
  permission?: 's3:ListBucket' | 's3:GetObject' | undefined
}

/** What {@link validateInventoryAccess} returns. */
export type InventoryAccessResult = InventoryAccessOk | InventoryAccessFailure

/** Options of {@link validateInventoryAccess}. */
export interface ValidateInventoryAccessOptions {
  signal?: AbortSignal | undefined
  /**
   * Retries when `target` is a client or options without `retry` (a source keeps its own). A connection
   * test may want fewer than an import, so the user is not left waiting on a dead endpoint.
   */
  retry?: RetryOptions | undefined
}

/**
 * The connector test: checks bucket, prefix, report and permissions in the order an import needs them, by
 * running the discovery an import runs (`findLatestInventory`), and says which one is missing instead of
 * throwing. Only cancellation (`ABORTED`) and programming errors throw.
 * @param target - a source from `createS3Source`, an `S3Client`, or options to build a source with.
 */
export async function validateInventoryAccess(
  target: S3Source | S3Client | S3SourceOptions,
  location: InventoryLocation,
  options: ValidateInventoryAccessOptions = {},
): Promise<InventoryAccessResult> {
  const { source, owned } = sourceFor(target, options.retry)
  // Which call failed, and what the listing held, tell the problems apart: the core only says "no manifest".
  let lastCall: 'list' | 'read' = 'list'
  let listed: string[] = []
  const observed: ObjectSource = {
    listFolders: async (bucket, prefix, callOptions) => {
      lastCall = 'list'
      listed = await source.listFolders(bucket, prefix, callOptions)
      return listed
    },
    readObject: (bucket, key, callOptions) => {
      lastCall = 'read'
      return source.readObject(bucket, key, callOptions)
    },
    streamObject: (bucket, key, streamOptions) => source.streamObject(bucket, key, streamOptions),
  }
  try {
    const found = await findLatestInventory(observed, location, { signal: options.signal })
    return {
      ok: true,
      latest: {
        timestamp: found.folder.name,
        manifestKey: found.manifestKey,
        fileFormat: found.manifest.fileFormat,
        dataFiles: found.manifest.files.length,
        compressedBytes: found.manifest.files.reduce((sum, file) => sum + file.size, 0),
        sourceBucket: found.manifest.sourceBucket,
        createdAt: manifestCreatedAt(found.manifest).toISOString(),
      },
      skipped: found.skipped,
    }
  } catch (error) {
    if (isInventoryError(error, 'ABORTED') || !isInventoryError(error)) throw error
    return describeFailure(error.code, error.message, error.cause, location, lastCall, listed)
  } finally {
    if (owned) source.destroy()
  }
}

/** The source to test with, and whether it was made here (and must be destroyed here). */
function sourceFor(
  target: S3Source | S3Client | S3SourceOptions,
  retry: RetryOptions | undefined,
): { source: S3Source; owned: boolean } {
  if (getContext(target) !== undefined) return { source: target as S3Source, owned: false }
  // A client is recognised by its send(), not instanceof: an app may hold a client from another copy of the SDK.
  if (typeof (target as { send?: unknown }).send === 'function') {
    return { source: createS3Source({ client: target as S3Client, retry }), owned: false }
  }
  const sourceOptions = target as S3SourceOptions
  return { source: createS3Source({ ...sourceOptions, retry: sourceOptions.retry ?? retry }), owned: true }
}

function describeFailure(
  code: InventoryErrorCode,
  detail: string,
  cause: unknown,
  location: InventoryLocation,
  lastCall: 'list' | 'read',
  listed: string[],
): InventoryAccessFailure {
  const bucket = location.destinationBucket
  const fail = (
    problem: InventoryAccessProblem,
    message: string,
    permission?: InventoryAccessFailure['permission'],
  ): InventoryAccessFailure => ({ ok: false, problem, message, code, ...(permission ? { permission } : {}) })
  switch (code) {
    case 'NOT_FOUND':
      return fail(
        'bucket_not_found',
        `The destination bucket "${bucket}" does not exist (or these credentials cannot see it).`,
      )
    case 'ACCESS_DENIED':
      return lastCall === 'list'
        ? fail(
            'access_denied',
            `Access denied listing bucket "${bucket}": the credentials need s3:ListBucket on it.`,
            's3:ListBucket',
          )
        : fail(
            'access_denied',
            `Access denied reading the inventory report in "${bucket}": ` +
              'the credentials need s3:GetObject on it.',
            's3:GetObject',
          )
    case 'MANIFEST_NOT_FOUND': {
      const where = `s3://${bucket}/${inventoryPrefix(location)}`
      return listed.length === 0
        ? fail(
            'prefix_empty',
            `Nothing under ${where}: check the destination prefix, source bucket and configuration ` +
              'name, or wait for the first report (up to 48 hours after the configuration is created).',
          )
        : fail('no_manifest', `${detail.charAt(0).toUpperCase()}${detail.slice(1)}.`)
    }
    case 'MANIFEST_INVALID':
    case 'CHECKSUM_MISMATCH':
      return fail('manifest_invalid', `The newest inventory report is unusable: ${detail}`)
    case 'INVALID_ARGUMENT':
      return fail('invalid_location', detail)
    default:
      return isWrongRegion(cause)
        ? fail('wrong_region', `The bucket "${bucket}" is in another region than the client's: ${detail}`)
        : fail('source_error', detail)
  }
}
