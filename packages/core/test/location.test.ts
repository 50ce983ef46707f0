import { describe, expect, it } from 'vitest'
import {
  bucketName,
  formatTimestampFolder,
  inventoryPrefix,
  parseTimestampFolder,
  timestampFoldersNewestFirst,
} from '../src/location.js'
import { expectCode } from './helpers.js'

describe('bucketName', () => {
  it('strips the arn:aws:s3::: prefix manifests use', () => {
    expect(bucketName('arn:aws:s3:::filemanager-inventory-test')).toBe('filemanager-inventory-test')
  })

  it('leaves a bare bucket name alone', () => {
    expect(bucketName('my-bucket')).toBe('my-bucket')
  })
})

describe('inventoryPrefix', () => {
  const base = { destinationBucket: 'reports', sourceBucket: 'photos', configName: 'daily' }

  it('is sourceBucket/configName/ without a destination prefix', () => {
    expect(inventoryPrefix(base)).toBe('photos/daily/')
    expect(inventoryPrefix({ ...base, destinationPrefix: undefined })).toBe('photos/daily/')
    expect(inventoryPrefix({ ...base, destinationPrefix: '' })).toBe('photos/daily/')
    expect(inventoryPrefix({ ...base, destinationPrefix: '/' })).toBe('photos/daily/')
  })

  it.each([
    ['inventory', 'inventory/photos/daily/'],
    ['inventory/', 'inventory/photos/daily/'],
    ['/inventory', 'inventory/photos/daily/'],
    ['//inventory//', 'inventory/photos/daily/'],
    ['a/b/c', 'a/b/c/photos/daily/'],
    ['/a/b/c/', 'a/b/c/photos/daily/'],
  ])('trims the slashes of destination prefix %j', (destinationPrefix, expected) => {
    expect(inventoryPrefix({ ...base, destinationPrefix })).toBe(expected)
  })

  it.each([
    { sourceBucket: '', configName: 'daily' },
    { sourceBucket: 'photos', configName: '' },
    { sourceBucket: 'a/b', configName: 'daily' },
    { sourceBucket: 'photos', configName: 'daily/x' },
  ])('rejects $sourceBucket / $configName with INVALID_ARGUMENT', async (names) => {
    await expectCode(() => inventoryPrefix({ ...base, ...names }), 'INVALID_ARGUMENT')
  })
})

describe('parseTimestampFolder', () => {
  it('reads a timestamp folder name as a UTC instant', () => {
    expect(parseTimestampFolder('2024-05-07T01-00Z')?.toISOString()).toBe('2024-05-07T01:00:00.000Z')
    expect(parseTimestampFolder('2024-05-07T01-00Z/')?.toISOString()).toBe('2024-05-07T01:00:00.000Z')
    expect(parseTimestampFolder('2023-12-31T23-59Z')?.toISOString()).toBe('2023-12-31T23:59:00.000Z')
    expect(parseTimestampFolder('2024-02-29T00-00Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z')
  })

  it.each([
    'data',
    'data/',
    'hive',
    'hive/',
    '',
    '2024-02-31T00-00Z',
    '2023-02-29T00-00Z',
    '2024-13-01T00-00Z',
    '2024-00-10T00-00Z',
    '2024-05-00T00-00Z',
    '2024-05-07T24-00Z',
    '2024-05-07T23-60Z',
    '2024-05-07T01:00Z',
    '2024-05-07T01-00',
    '2024-05-07T01-00Z//',
    '2024-5-7T01-00Z',
    ' 2024-05-07T01-00Z',
    'x2024-05-07T01-00Z',
  ])('rejects %j', (name) => {
    expect(parseTimestampFolder(name)).toBeUndefined()
  })
})

describe('formatTimestampFolder', () => {
  it('is the inverse of parseTimestampFolder', () => {
    const at = new Date('2024-05-07T01:00:00.000Z')
    expect(formatTimestampFolder(at)).toBe('2024-05-07T01-00Z')
    expect(parseTimestampFolder(formatTimestampFolder(at))?.getTime()).toBe(at.getTime())
  })

  it('drops seconds', () => {
    expect(formatTimestampFolder(new Date('2024-12-31T23:59:59.999Z'))).toBe('2024-12-31T23-59Z')
  })
})

describe('timestampFoldersNewestFirst', () => {
  const prefix = 'inv/photos/daily/'

  it('keeps only timestamp folders, newest first, with their full prefix', () => {
    const folders = timestampFoldersNewestFirst(prefix, [
      `${prefix}2024-05-06T01-00Z/`,
      `${prefix}data/`,
      `${prefix}hive/`,
      `${prefix}2024-05-08T01-00Z/`,
      `${prefix}2024-05-07T01-00Z/`,
      `${prefix}2024-02-31T00-00Z/`,
    ])
    expect(folders.map((f) => f.name)).toEqual(['2024-05-08T01-00Z', '2024-05-07T01-00Z', '2024-05-06T01-00Z'])
    expect(folders[0]).toEqual({
      name: '2024-05-08T01-00Z',
      prefix: `${prefix}2024-05-08T01-00Z/`,
      at: new Date('2024-05-08T01:00:00.000Z'),
    })
  })

  it('sorts by instant across years and months, whatever the input order', () => {
    const names = ['2023-12-31T23-59Z', '2024-01-01T00-00Z', '2022-06-15T12-30Z', '2024-01-01T00-01Z']
    const folders = timestampFoldersNewestFirst(prefix, names.map((name) => `${prefix}${name}`))
    expect(folders.map((f) => f.name)).toEqual([
      '2024-01-01T00-01Z',
      '2024-01-01T00-00Z',
      '2023-12-31T23-59Z',
      '2022-06-15T12-30Z',
    ])
    expect(folders.every((f) => f.prefix.endsWith('/'))).toBe(true)
  })

  it('ignores prefixes that are not under the inventory prefix', () => {
    const folders = timestampFoldersNewestFirst(prefix, [
      'other/photos/daily/2024-05-07T01-00Z/',
      `${prefix}2024-05-06T01-00Z/`,
    ])
    expect(folders.map((f) => f.prefix)).toEqual([`${prefix}2024-05-06T01-00Z/`])
  })

  it('accepts any iterable and returns [] for none', () => {
    expect(timestampFoldersNewestFirst(prefix, new Set<string>())).toEqual([])
    expect(timestampFoldersNewestFirst(prefix, new Set([`${prefix}data/`]))).toEqual([])
  })
})
