/**
 * Epoch milliseconds of a proleptic Gregorian UTC date and time given as numbers (NaN stays NaN): what
 * `Date.UTC` gives for years 0-9999, without its cost, for times read digit by digit.
 */
export function civilMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  // Days from 1970-01-01 (the civil-from-days inverse).
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  const days = era * 146_097 + dayOfEra - 719_468
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
}

/** Days of each month (index 1-12) outside leap years; index 0 and 13+ are not months. */
const DAYS_IN_MONTH: readonly number[] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** True when the numbers name a real date and time of day (no leap seconds), as a canonical ISO text must. */
export function isCivilTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[month] ?? 0)
  return day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59
}
