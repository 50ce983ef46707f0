import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  S3Client,
  S3ServiceException,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3'
import { mockClient } from 'aws-sdk-client-mock'
import { md5Hex } from './inventory-fixture.js'

/** An SDK error as S3 would send it. */
export function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  })
}

/** A Node network error (what the HTTP handler throws when a socket breaks). */
export function networkError(code: string, message = 'socket hang up'): Error {
  return Object.assign(new Error(message), { code })
}

/** How one GetObject reply goes wrong. */
export interface BodyFault {
  /** Bytes of the body sent before it breaks. */
  breakAfter?: number
  /** What the body throws when it breaks. @default an ECONNRESET network error */
  error?: Error
  /** The body just ends after `breakAfter` bytes, without an error (only Content-Length tells). */
  clean?: boolean
  /** Replaces the body altogether. */
  body?: unknown
  /** Answer as a server that does not support Range: the whole object, 200, no Content-Range. */
  ignoreRange?: boolean
}

/** What a test may do to one GetObject call (0-based across the test): throw, spoil the reply, or nothing. */
export type GetFault = (input: GetObjectCommandInput, call: number) => Error | BodyFault | undefined

export interface MockS3Options {
  bucket: string
  objects: Map<string, Uint8Array>
  /** Injected per GetObject call (0-based call number across the test). */
  getFault?: GetFault
  /** Replaces the ListObjectsV2 answer (after the real one is computed). */
  listFault?: (
    input: ListObjectsV2CommandInput,
    call: number,
    page: ListObjectsV2CommandOutput,
  ) => ListObjectsV2CommandOutput | Error
  /** Bytes per body chunk. @default 64 */
  chunkSize?: number
}

/** A body that yields `bytes` in chunks, then optionally fails (a connection reset mid-body). */
async function* body(bytes: Uint8Array, chunkSize: number, failure?: Error): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.byteLength; at += chunkSize) {
    await Promise.resolve()
    yield bytes.subarray(at, Math.min(at + chunkSize, bytes.byteLength))
  }
  if (failure) throw failure
}

const metadata = { httpStatusCode: 200 }

const noSuchBucket = (): NoSuchBucket =>
  new NoSuchBucket({ message: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } })

/**
 * Stubs every `S3Client#send` with an in-memory bucket that honours Prefix, Delimiter, MaxKeys,
 * ContinuationToken, Range and If-Match, and lets a test inject faults per call.
 */
export function mockS3(options: MockS3Options) {
  const mock = mockClient(S3Client)
  const chunkSize = options.chunkSize ?? 64
  let listCalls = 0
  let getCalls = 0

  mock.on(ListObjectsV2Command).callsFake(async (input: ListObjectsV2CommandInput) => {
    const call = listCalls++
    if (input.Bucket !== options.bucket) throw noSuchBucket()
    const prefix = input.Prefix ?? ''
    const keys = [...options.objects.keys()].filter((key) => key.startsWith(prefix)).sort()
    const entries: { key?: string; prefix?: string }[] = []
    const seen = new Set<string>()
    for (const key of keys) {
      const rest = key.slice(prefix.length)
      const cut = input.Delimiter ? rest.indexOf(input.Delimiter) : -1
      if (cut < 0) entries.push({ key })
      else {
        const common = prefix + rest.slice(0, cut + 1)
        if (!seen.has(common)) entries.push({ prefix: common })
        seen.add(common)
      }
    }
    const start = input.ContinuationToken ? Number(input.ContinuationToken) : 0
    const size = input.MaxKeys ?? 1000
    const slice = entries.slice(start, start + size)
    const truncated = start + size < entries.length
    const page: ListObjectsV2CommandOutput = {
      $metadata: metadata,
      IsTruncated: truncated,
      NextContinuationToken: truncated ? String(start + size) : undefined,
      Contents: slice
        .filter((entry) => entry.key !== undefined)
        .map((entry) => ({
          Key: entry.key,
          Size: options.objects.get(entry.key!)!.byteLength,
          ETag: `"${md5Hex(options.objects.get(entry.key!)!)}"`,
          LastModified: new Date(Date.UTC(2024, 4, 6)),
          StorageClass: 'STANDARD',
        })),
      CommonPrefixes: slice
        .filter((entry) => entry.prefix !== undefined)
        .map((entry) => ({ Prefix: entry.prefix })),
    }
    const replaced = options.listFault?.(input, call, page) ?? page
    if (replaced instanceof Error) throw replaced
    return replaced
  })

  const getObject = async (input: GetObjectCommandInput): Promise<Partial<GetObjectCommandOutput>> => {
    const call = getCalls++
    const fault = options.getFault?.(input, call)
    if (fault instanceof Error) throw fault
    if (input.Bucket !== options.bucket) throw noSuchBucket()
    const bytes = options.objects.get(input.Key!)
    if (bytes === undefined) throw new NoSuchKey({ message: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })
    const etag = `"${md5Hex(bytes)}"`
    if (input.IfMatch !== undefined && input.IfMatch !== etag) throw s3Error('PreconditionFailed', 412)
    const ranged = input.Range !== undefined && !fault?.ignoreRange
    const from = ranged ? Number(/^bytes=(\d+)-$/.exec(input.Range!)![1]) : 0
    if (from > 0 && from >= bytes.byteLength) throw s3Error('InvalidRange', 416)
    const part = bytes.subarray(from)
    const breaks = fault?.breakAfter !== undefined
    const served = breaks ? part.subarray(0, fault.breakAfter) : part
    const failure = breaks && !fault.clean ? (fault.error ?? networkError('ECONNRESET')) : undefined
    return {
      $metadata: { httpStatusCode: ranged ? 206 : 200 },
      // A plain async iterable rather than a Readable: a destroyed Readable drops chunks it buffered, which
      // would make the byte at which a body breaks depend on timing.
      Body: (fault?.body ?? body(served, chunkSize, failure)) as GetObjectCommandOutput['Body'],
      ETag: etag,
      ContentLength: part.byteLength,
      ...(ranged ? { ContentRange: `bytes ${from}-${bytes.byteLength - 1}/${bytes.byteLength}` } : {}),
    }
  }
  mock.on(GetObjectCommand).callsFake(getObject)

  return {
    mock,
    getInputs: (): GetObjectCommandInput[] =>
      mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input),
    listInputs: (): ListObjectsV2CommandInput[] =>
      mock.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input),
  }
}
