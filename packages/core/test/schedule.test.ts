import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SCHEDULE_INTERVAL_MS, inferInventoryIntervalMs, nextRunAt } from '../src/schedule.js'
import type { ImportSchedule } from '../src/types.js'
import { expectCode } from './helpers.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

const at = (iso: string): Date => new Date(iso)

describe('SCHEDULE_INTERVAL_MS', () => {
  it('is exactly 24 hours and 7 days', () => {
    expect(SCHEDULE_INTERVAL_MS).toEqual({ daily: 86_400_000, weekly: 604_800_000 })
  })
})

describe('nextRunAt', () => {
  // Run in a zone with daylight saving time, so local-time arithmetic would show up as 23 h or 25 h days.
  const savedTz = process.env.TZ
  beforeAll(() => {
    process.env.TZ = 'America/New_York'
  })
  afterAll(() => {
    if (savedTz === undefined) delete process.env.TZ
    else process.env.TZ = savedTz
  })

  it('runs in a zone with daylight saving time', () => {
    expect(new Date('2026-01-15T12:00:00Z').getTimezoneOffset()).toBe(300)
    expect(new Date('2026-07-15T12:00:00Z').getTimezoneOffset()).toBe(240)
  })

  it('adds exactly one day for daily', () => {
    expect(nextRunAt(at('2024-05-07T01:23:45.678Z'), 'daily')?.toISOString()).toBe('2024-05-08T01:23:45.678Z')
  })

  it('adds exactly seven days for weekly', () => {
    expect(nextRunAt(at('2024-12-28T10:00:00.000Z'), 'weekly')?.toISOString()).toBe('2025-01-04T10:00:00.000Z')
  })

  it.each([
    ['US spring forward', '2026-03-08T01:30:00.000Z'],
    ['EU spring forward', '2026-03-29T00:30:00.000Z'],
    ['EU fall back', '2026-10-25T00:30:00.000Z'],
    ['US fall back', '2026-11-01T05:30:00.000Z'],
  ])('is still exactly 24 h / 168 h across the %s date', (_name, iso) => {
    const start = at(iso)
    expect(nextRunAt(start, 'daily')!.getTime() - start.getTime()).toBe(24 * HOUR)
    expect(nextRunAt(start, 'weekly')!.getTime() - start.getTime()).toBe(168 * HOUR)
    expect(nextRunAt(start, 'daily')!.getUTCHours()).toBe(start.getUTCHours())
  })

  it('gives the documented instants across 2026-03-08 and 2026-10-25', () => {
    expect(nextRunAt(at('2026-03-07T12:00:00.000Z'), 'daily')?.toISOString()).toBe('2026-03-08T12:00:00.000Z')
    expect(nextRunAt(at('2026-03-08T12:00:00.000Z'), 'daily')?.toISOString()).toBe('2026-03-09T12:00:00.000Z')
    expect(nextRunAt(at('2026-10-21T03:00:00.000Z'), 'weekly')?.toISOString()).toBe('2026-10-28T03:00:00.000Z')
  })

  it('never runs a manual schedule by itself', () => {
    expect(nextRunAt(at('2024-05-07T00:00:00.000Z'), 'manual')).toBeNull()
  })

  it('follows the inventory\'s own interval', () => {
    const completed = at('2024-05-07T00:00:00.000Z')
    expect(nextRunAt(completed, 'inventory', 7 * DAY)?.toISOString()).toBe('2024-05-14T00:00:00.000Z')
    const inferred = inferInventoryIntervalMs([
      at('2024-05-01T01:00:00.000Z'),
      at('2024-05-08T01:07:00.000Z'),
      at('2024-05-15T00:58:00.000Z'),
    ])
    expect(inferred).toBe(7 * DAY)
    expect(nextRunAt(completed, 'inventory', inferred)?.toISOString()).toBe('2024-05-14T00:00:00.000Z')
  })

  it('falls back to daily for inventory without an interval', () => {
    const completed = at('2024-05-07T00:00:00.000Z')
    expect(nextRunAt(completed, 'inventory')?.toISOString()).toBe('2024-05-08T00:00:00.000Z')
    expect(nextRunAt(at('2024-05-07T00:00:00.000Z'), 'inventory', undefined)?.getTime()).toBe(
      at('2024-05-08T00:00:00.000Z').getTime(),
    )
  })

  it('does not change its argument', () => {
    const completed = at('2024-05-07T00:00:00.000Z')
    nextRunAt(completed, 'weekly')
    expect(completed.toISOString()).toBe('2024-05-07T00:00:00.000Z')
  })

  it('throws INVALID_ARGUMENT for an unknown schedule', async () => {
    await expectCode(() => nextRunAt(new Date(0), 'hourly' as ImportSchedule), 'INVALID_ARGUMENT')
  })
})

describe('inferInventoryIntervalMs', () => {
  it('is undefined for fewer than two reports', () => {
    expect(inferInventoryIntervalMs([])).toBeUndefined()
    expect(inferInventoryIntervalMs([at('2024-05-07T01:00:00.000Z')])).toBeUndefined()
  })

  it('is undefined when every report has the same time', () => {
    const same = at('2024-05-07T01:00:00.000Z')
    expect(inferInventoryIntervalMs([same, new Date(same)])).toBeUndefined()
  })

  it('rounds the median gap to whole hours', () => {
    const times = ['2024-05-01T01:00Z', '2024-05-02T01:29Z', '2024-05-03T00:40Z', '2024-05-04T01:10Z']
    // Gaps: 24h29m, 23h11m, 24h30m -> median 24h29m -> 24h.
    expect(inferInventoryIntervalMs(times.map((t) => at(t)))).toBe(DAY)
    // 24h31m rounds up to 25h; 23h29m rounds down to 23h.
    expect(inferInventoryIntervalMs([at('2024-05-01T00:00Z'), at('2024-05-02T00:31Z')])).toBe(25 * HOUR)
    expect(inferInventoryIntervalMs([at('2024-05-01T00:00Z'), at('2024-05-01T23:29Z')])).toBe(23 * HOUR)
    // Exactly half an hour over rounds up (Math.round).
    expect(inferInventoryIntervalMs([at('2024-05-01T00:00Z'), at('2024-05-02T00:30Z')])).toBe(25 * HOUR)
  })

  it('uses the lower median for an even number of gaps and ignores input order', () => {
    const days = [0, 1, 2, 9, 16].map((d) => new Date(Date.UTC(2024, 4, 1 + d, 1)))
    // Gaps: 1, 1, 7, 7 days -> lower median 1 day.
    expect(inferInventoryIntervalMs(days)).toBe(DAY)
    expect(inferInventoryIntervalMs([...days].reverse())).toBe(DAY)
    // Gaps: 1, 7, 7 days -> median 7 days, whatever the order.
    const weekly = [0, 7, 14, 15].map((d) => new Date(Date.UTC(2024, 4, 1 + d, 1)))
    expect(inferInventoryIntervalMs([weekly[2]!, weekly[0]!, weekly[3]!, weekly[1]!])).toBe(7 * DAY)
  })

  it('is never below one hour', () => {
    expect(inferInventoryIntervalMs([at('2024-05-01T00:00Z'), at('2024-05-01T00:10Z')])).toBe(HOUR)
  })

  it('skips duplicate times', () => {
    const times = ['2024-05-01T00:00Z', '2024-05-01T00:00Z', '2024-05-08T00:00Z', '2024-05-08T00:00Z']
    expect(inferInventoryIntervalMs(times.map((t) => at(t)))).toBe(7 * DAY)
  })
})
