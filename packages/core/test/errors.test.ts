import { describe, expect, it } from 'vitest'
import { coerceError, InventoryError, isInventoryError, throwIfAborted } from '../src/errors.js'
import { hasAttemptsLeft, isTransientFailure, retriesFailure } from '../src/job-retry.js'
import { newId } from '../src/ids.js'
import { addRowCounts, countBadRows, emptyRowCounts } from '../src/types.js'
import { expectCode } from './helpers.js'

describe('InventoryError', () => {
  it('carries code, file, byte offset and cause', () => {
    const cause = new Error('root')
    const error = new InventoryError('DATA_FILE_CORRUPT', 'bad', { file: 'f.gz', byteOffset: 12, cause })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('InventoryError')
    expect(error.code).toBe('DATA_FILE_CORRUPT')
    expect(error.file).toBe('f.gz')
    expect(error.byteOffset).toBe(12)
    expect(error.cause).toBe(cause)
  })

  it('has no cause, file or offset unless given', () => {
    const error = new InventoryError('NOT_FOUND', 'x')
    expect('cause' in error).toBe(false)
    expect(error.file).toBeUndefined()
    expect(error.byteOffset).toBeUndefined()
  })
})

describe('coerceError', () => {
  it('keeps an InventoryError as it is, and wraps anything else with the code, its message and the cause', () => {
    const own = new InventoryError('CONFLICT', 'x')
    expect(coerceError(own, 'STORE_ERROR')).toBe(own)
    const cause = new TypeError('socket hang up')
    expect(coerceError(cause)).toMatchObject({ code: 'SOURCE_ERROR', message: 'socket hang up', cause })
    expect(coerceError('plain text', 'STORE_ERROR')).toMatchObject({ code: 'STORE_ERROR', message: 'plain text', cause: 'plain text' })
    expect(coerceError(null)).toMatchObject({ code: 'SOURCE_ERROR', message: 'null' })
  })
})

describe('the retry rule', () => {
  it('retries a failure that may pass (source, store, report not yet written) while attempts remain', () => {
    expect(['SOURCE_ERROR', 'STORE_ERROR', 'MANIFEST_NOT_FOUND'].every(isTransientFailure)).toBe(true)
    expect(['MANIFEST_INVALID', 'CHECKSUM_MISMATCH', 'ACCESS_DENIED', 'ABORTED'].some(isTransientFailure)).toBe(false)
    expect(hasAttemptsLeft({ attempts: 2, maxAttempts: 3 })).toBe(true)
    expect(hasAttemptsLeft({ attempts: 3, maxAttempts: 3 })).toBe(false)
    expect(retriesFailure({ attempts: 1, maxAttempts: 3 }, 'SOURCE_ERROR')).toBe(true)
    expect(retriesFailure({ attempts: 3, maxAttempts: 3 }, 'SOURCE_ERROR')).toBe(false)
    expect(retriesFailure({ attempts: 1, maxAttempts: 3 }, 'CHECKSUM_MISMATCH')).toBe(false)
  })
})

describe('isInventoryError', () => {
  it('tells InventoryErrors apart, optionally by code', () => {
    const error = new InventoryError('CONFLICT', 'x')
    expect(isInventoryError(error)).toBe(true)
    expect(isInventoryError(error, 'CONFLICT')).toBe(true)
    expect(isInventoryError(error, 'NOT_FOUND')).toBe(false)
    expect(isInventoryError(new Error('x'))).toBe(false)
    expect(isInventoryError({ code: 'CONFLICT' }, 'CONFLICT')).toBe(false)
    expect(isInventoryError(undefined)).toBe(false)
  })
})

describe('throwIfAborted', () => {
  it('does nothing without a signal or before it fires', () => {
    expect(() => throwIfAborted(undefined)).not.toThrow()
    expect(() => throwIfAborted(new AbortController().signal)).not.toThrow()
  })

  it('throws ABORTED with the signal reason as cause', async () => {
    const controller = new AbortController()
    const reason = new Error('user cancelled')
    controller.abort(reason)
    const error = await expectCode(() => throwIfAborted(controller.signal), 'ABORTED')
    expect(error.cause).toBe(reason)
  })
})

describe('row counts', () => {
  it('adds counts, merges bad-row reasons and caps samples', () => {
    const into = emptyRowCounts()
    into.rows = 3
    into.badRows.invalid_size = 1
    into.badRowSamples.push({ file: 'a', line: 1, reason: 'invalid_size' })
    const from = {
      rows: 10,
      records: 6,
      noncurrentVersions: 2,
      deleteMarkers: 1,
      badRows: { invalid_size: 2, missing_key: 1 },
      badRowSamples: [
        { file: 'b', line: 4, reason: 'invalid_size' as const },
        { file: 'b', line: 5, reason: 'invalid_size' as const },
        { file: 'b', line: 9, reason: 'missing_key' as const },
      ],
    }
    addRowCounts(into, from, 3)
    expect(into).toEqual({
      rows: 13,
      records: 6,
      noncurrentVersions: 2,
      deleteMarkers: 1,
      badRows: { invalid_size: 3, missing_key: 1 },
      badRowSamples: [
        { file: 'a', line: 1, reason: 'invalid_size' },
        { file: 'b', line: 4, reason: 'invalid_size' },
        { file: 'b', line: 5, reason: 'invalid_size' },
      ],
    })
    expect(countBadRows(into)).toBe(4)
    expect(countBadRows(emptyRowCounts())).toBe(0)
  })

  it('keeps up to 20 samples by default', () => {
    const into = emptyRowCounts()
    const from = emptyRowCounts()
    for (let line = 1; line <= 30; line++) from.badRowSamples.push({ file: 'f', line, reason: 'invalid_date' })
    addRowCounts(into, from)
    expect(into.badRowSamples).toHaveLength(20)
  })

  it('gives a fresh object every time', () => {
    const a = emptyRowCounts()
    a.badRows.column_count = 1
    expect(emptyRowCounts().badRows).toEqual({})
  })
})

describe('newId', () => {
  it('is the prefix, an underscore and 32 hex digits, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newId('col')))
    expect(ids.size).toBe(100)
    for (const id of ids) expect(id).toMatch(/^col_[0-9a-f]{32}$/)
    expect(newId('con')).toMatch(/^con_[0-9a-f]{32}$/)
  })
})
