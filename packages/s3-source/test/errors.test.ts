import { S3ServiceException } from '@aws-sdk/client-s3'
import { InventoryError } from '@shuttersense/inventory-core'
import { describe, expect, it } from 'vitest'
import { isTransientError, toInventoryError } from '../src/index.js'

const sdkError = (name: string, status?: number) =>
  new S3ServiceException({
    name,
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  })
const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code })
const at = { operation: 'GetObject', bucket: 'b', key: 'k' }

describe('isTransientError', () => {
  it.each([
    ['503 SlowDown', sdkError('SlowDown', 503)],
    ['500 InternalError', sdkError('InternalError', 500)],
    ['throttling code without a status', sdkError('ThrottlingException')],
    ['429', sdkError('TooManyRequests', 429)],
    ['ECONNRESET', nodeError('ECONNRESET')],
    ['ETIMEDOUT', nodeError('ETIMEDOUT')],
    ['socket hang up', new Error('socket hang up')],
    ['TimeoutError', Object.assign(new Error('slow'), { name: 'TimeoutError' })],
  ])('retries %s', (_name, error) => {
    expect(isTransientError(error)).toBe(true)
  })

  it.each([
    ['403', sdkError('AccessDenied', 403)],
    ['404 NoSuchKey', sdkError('NoSuchKey', 404)],
    ['NoSuchBucket', sdkError('NoSuchBucket', 404)],
    ['400 InvalidArgument', sdkError('InvalidArgument', 400)],
    ['an InventoryError', new InventoryError('CHECKSUM_MISMATCH', 'x')],
    ['a plain error', new Error('bug')],
  ])('does not retry %s', (_name, error) => {
    expect(isTransientError(error)).toBe(false)
  })
})

describe('toInventoryError', () => {
  it.each([
    [sdkError('AccessDenied', 403), 'ACCESS_DENIED'],
    [sdkError('InvalidAccessKeyId', 403), 'ACCESS_DENIED'],
    [sdkError('NoSuchKey', 404), 'NOT_FOUND'],
    [sdkError('NotFound', 404), 'NOT_FOUND'],
    [sdkError('NoSuchBucket', 404), 'NOT_FOUND'],
    [sdkError('SlowDown', 503), 'SOURCE_ERROR'],
    [sdkError('PermanentRedirect', 301), 'SOURCE_ERROR'],
    [nodeError('ECONNREFUSED'), 'SOURCE_ERROR'],
  ] as const)('maps %s to %s, keeping the cause', (error, code) => {
    const mapped = toInventoryError(error, at)
    expect(mapped.code).toBe(code)
    expect(mapped.cause).toBe(error)
    expect(mapped.file).toBe('k')
  })

  it('passes InventoryErrors through', () => {
    const error = new InventoryError('ABORTED', 'stop')
    expect(toInventoryError(error, at)).toBe(error)
  })
})
