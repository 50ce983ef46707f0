import { describe, expect, it } from 'vitest'
import { listRequestsSaved } from '../src/pure.js'

describe('listRequestsSaved', () => {
  it('compares the import requests with one ListObjectsV2 page per 1000 keys', () => {
    const requests = { ListObjectsV2: 1, GetObject: 7 }
    expect(listRequestsSaved({ objectCount: 1_000_001, requests })).toEqual({
      inventoryRequests: 8,
      listObjectsV2Requests: 1001,
      saved: 993,
      savedPercent: 99.2,
    })
  })

  it('accepts a total instead of counts by type', () => {
    expect(listRequestsSaved({ objectCount: 5000, requests: 5 })).toEqual({
      inventoryRequests: 5,
      listObjectsV2Requests: 5,
      saved: 0,
      savedPercent: 0,
    })
  })

  it('goes negative for tiny buckets, and counts one page for an empty one', () => {
    expect(listRequestsSaved({ objectCount: 10, requests: { ListObjectsV2: 1, GetObject: 4 } })).toEqual({
      inventoryRequests: 5,
      listObjectsV2Requests: 1,
      saved: -4,
      savedPercent: -400,
    })
    expect(listRequestsSaved({ objectCount: 0, requests: {} }).listObjectsV2Requests).toBe(1)
  })
})
