import { describe, expect, it } from 'vitest'
import { formatAge, formatBytes, formatCount, formatDate, formatPercent, plural, shownOf } from '../src/view-model/format.js'

describe('formatting figures', () => {
  it('counts with thousands separators, words in the singular or plural', () => {
    expect(formatCount(3399)).toBe('3,399')
    expect(formatCount(0)).toBe('0')
    expect(plural(1, 'file')).toBe('1 file')
    expect(plural(1000, 'file')).toBe('1,000 files')
    expect(plural(2, 'entry', 'entries')).toBe('2 entries')
  })

  it('bytes in decimal units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(999)).toBe('999 B')
    expect(formatBytes(1000)).toBe('1.00 kB')
    expect(formatBytes(1234)).toBe('1.23 kB')
    expect(formatBytes(12_345_678)).toBe('12.3 MB')
    expect(formatBytes(999_999)).toBe('1.00 MB')
    expect(formatBytes(3.4e12)).toBe('3.40 TB')
    expect(formatBytes(512e9)).toBe('512 GB')
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })

  it('dates in UTC, the same for every user', () => {
    expect(formatDate('2026-01-20T14:03:09.000Z')).toBe('20 Jan 2026, 14:03 UTC')
    expect(formatDate('2026-12-03T01:05:00+02:00')).toBe('2 Dec 2026, 23:05 UTC')
    expect(formatDate(null)).toBe('—')
    expect(formatDate('not a date')).toBe('—')
  })

  it('ages in whole units, past and future', () => {
    const now = new Date('2026-01-20T12:00:00.000Z')
    expect(formatAge('2026-01-20T11:59:30.000Z', now)).toBe('just now')
    expect(formatAge('2026-01-20T11:55:00.000Z', now)).toBe('5 minutes ago')
    expect(formatAge('2026-01-20T11:00:00.000Z', now)).toBe('1 hour ago')
    expect(formatAge('2026-01-17T11:00:00.000Z', now)).toBe('3 days ago')
    expect(formatAge('2025-11-01T12:00:00.000Z', now)).toBe('2 months ago')
    expect(formatAge('2024-01-01T12:00:00.000Z', now)).toBe('2 years ago')
    expect(formatAge('2026-01-20T14:00:00.000Z', now)).toBe('in 2 hours')
    expect(formatAge(null, now)).toBe('never')
  })

  it('says how much of a truncated list is shown', () => {
    expect(shownOf(1000, 3399)).toBe('1,000 of 3,399 shown')
    expect(shownOf(12, 12)).toBe('12 shown')
    expect(formatPercent(41.7)).toBe('41%')
    expect(formatPercent(null)).toBe('—')
  })
})
