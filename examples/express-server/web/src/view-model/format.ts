/** How figures read in the UI: pure functions, so they are unit-tested and render the same everywhere. */

const COUNT = new Intl.NumberFormat('en-US')

/** `3399` -> `3,399`. */
export const formatCount = (n: number): string => COUNT.format(n)

/** `1 file`, `3,399 files`; `irregular` for words whose plural is not word + s. */
export function plural(n: number, word: string, irregular?: string): string {
  return `${formatCount(n)} ${n === 1 ? word : (irregular ?? `${word}s`)}`
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB']

/** Decimal units, as storage is sold: `0 B`, `999 B`, `1.2 kB`, `12 MB`, `3.40 TB` (three significant digits, two decimals at most). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  let unit = 0
  let value = bytes
  while (value >= 999.5 && unit < BYTE_UNITS.length - 1) {
    value /= 1000
    unit++
  }
  if (unit === 0) return `${Math.round(value)} B`
  const digits = value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number): string => String(n).padStart(2, '0')

/**
 * `2026-01-20T14:03:09Z` -> `20 Jan 2026, 14:03 UTC`. In UTC on purpose: jobs, agents and S3 all speak UTC,
 * and a figure that reads the same for every user can be quoted in a ticket. `null` -> `—`.
 */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return '—'
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}, ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`
}

const AGE_STEPS: [limitSeconds: number, seconds: number, unit: string][] = [
  [3600, 60, 'minute'],
  [86_400, 3600, 'hour'],
  [86_400 * 30, 86_400, 'day'],
  [86_400 * 365, 86_400 * 30, 'month'],
  [Infinity, 86_400 * 365, 'year'],
]

/** `just now`, `5 minutes ago`, `3 days ago`, `in 2 hours` (whole units, rounded down). */
export function formatAge(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never'
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return 'never'
  const seconds = Math.round((now.getTime() - then) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 60) return 'just now'
  const [, size, unit] = AGE_STEPS.find(([limit]) => abs < limit)!
  const text = plural(Math.floor(abs / size), unit)
  return seconds >= 0 ? `${text} ago` : `in ${text}`
}

/** `1,000 of 3,399 shown` when a list holds fewer entries than there are; `3,399 shown` otherwise. */
export function shownOf(shown: number, total: number): string {
  return shown < total ? `${formatCount(shown)} of ${formatCount(total)} shown` : `${formatCount(shown)} shown`
}

/** `42%` from a 0–100 figure; `—` when unknown. */
export const formatPercent = (percent: number | null | undefined): string => (percent === null || percent === undefined ? '—' : `${Math.floor(percent)}%`)
