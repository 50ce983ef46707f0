import { InventoryError } from './errors.js'
import type { ImportSchedule } from './types.js'

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** Fixed intervals of the schedules that have one. UTC arithmetic: a day is always 24 hours. */
export const SCHEDULE_INTERVAL_MS: Readonly<Record<'daily' | 'weekly', number>> = {
  daily: DAY_MS,
  weekly: 7 * DAY_MS,
}

/**
 * The spacing of an inventory's own reports: the median gap between consecutive timestamp folders,
 * rounded to whole hours (S3 writes daily or weekly reports, at slightly varying minutes).
 * `undefined` when fewer than two reports exist.
 */
export function inferInventoryIntervalMs(reportTimes: readonly Date[]): number | undefined {
  const times = reportTimes.map((date) => date.getTime()).sort((a, b) => a - b)
  const gaps: number[] = []
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!
    if (gap > 0) gaps.push(gap)
  }
  if (gaps.length === 0) return undefined
  gaps.sort((a, b) => a - b)
  const median = gaps[Math.floor((gaps.length - 1) / 2)]!
  return Math.max(HOUR_MS, Math.round(median / HOUR_MS) * HOUR_MS)
}

/**
 * When the next scheduled import of a connector runs: `completedAt` + the schedule's interval.
 * `manual` never runs by itself (`null`). `inventory` needs `inventoryIntervalMs` (see
 * {@link inferInventoryIntervalMs}); without it, it falls back to daily, S3's most common cadence.
 * @param completedAt - when the import that just ended finished (UTC arithmetic: a day is 24 hours)
 * @param schedule - the connector's schedule
 * @param inventoryIntervalMs - the inventory's own cadence, for the `inventory` schedule
 */
export function nextRunAt(
  completedAt: Date,
  schedule: ImportSchedule,
  inventoryIntervalMs?: number | undefined,
): Date | null {
  switch (schedule) {
    case 'manual':
      return null
    case 'daily':
    case 'weekly':
      return new Date(completedAt.getTime() + SCHEDULE_INTERVAL_MS[schedule])
    case 'inventory':
      return new Date(completedAt.getTime() + (inventoryIntervalMs ?? DAY_MS))
    default:
      throw new InventoryError('INVALID_ARGUMENT', `unknown schedule: ${String(schedule)}`)
  }
}
