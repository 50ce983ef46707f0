import { OrcError } from './orc-error.js'

/** A timestamp as ORC holds it: whole seconds since 1970-01-01T00:00:00Z (the instant) and nanoseconds. */
export interface OrcTimestamp {
  /** Seconds since the epoch, UTC (floor: `nanos` counts forward from it). */
  seconds: number
  /** 0 to 999,999,999. */
  nanos: number
}

/** ORC counts timestamp seconds from 2015-01-01 00:00:00 in the writer's time zone. */
const BASE_UTC_SECONDS = 1_420_070_400

const UTC_NAMES = new Set(['', 'UTC', 'GMT', 'Z', 'Etc/UTC', 'Etc/GMT', 'UCT', 'Etc/UCT', 'Universal', 'Zulu'])
/** `+05:30`, `GMT-08:00`, `UTC+1` (Intl in Node.js 20 knows no fixed offsets). */
const FIXED_OFFSET = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/
const formatters = new Map<string, Intl.DateTimeFormat>()

/**
 * Seconds that `timeZone`'s clocks were ahead of UTC at `utcSeconds` (an IANA name, or a fixed
 * offset such as `+05:30`), through Intl.
 * @throws OrcError `FORMAT_UNSUPPORTED` for a zone Intl does not know.
 */
export function zoneOffsetSeconds(timeZone: string, utcSeconds: number): number {
  if (UTC_NAMES.has(timeZone)) return 0
  const fixed = FIXED_OFFSET.exec(timeZone)
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 3600 + Number(fixed[3] ?? 0) * 60)
  let formatter = formatters.get(timeZone)
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      })
    } catch (error) {
      throw new OrcError('FORMAT_UNSUPPORTED', `the writer's time zone ${JSON.stringify(timeZone)} is unknown`, undefined, { cause: error })
    }
    formatters.set(timeZone, formatter)
  }
  const parts: Record<string, string> = {}
  for (const part of formatter.formatToParts(new Date(utcSeconds * 1000))) parts[part.type] = part.value
  let year = Number(parts.year)
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year
  const local = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) / 1000
  return local - Math.floor(utcSeconds)
}

/**
 * The instant of a timestamp stored as `seconds` (from ORC's 2015 base) and encoded nanos (low 3 bits:
 * trailing decimal zeros less one), the base taken in a zone `baseOffset` seconds ahead of UTC.
 */
export function decodeTimestamp(seconds: number, encodedNanos: number, baseOffset: number): OrcTimestamp {
  const nanos = decodeNanos(encodedNanos)
  return { seconds: epochSecondsOf(seconds, nanos, baseOffset), nanos }
}

/** {@link decodeTimestamp}'s instant as epoch milliseconds (`seconds * 1000` plus whole milliseconds of `nanos`), with no object. */
export function timestampMillis(seconds: number, encodedNanos: number, baseOffset: number): number {
  const nanos = decodeNanos(encodedNanos)
  return epochSecondsOf(seconds, nanos, baseOffset) * 1000 + Math.floor(nanos / 1e6)
}

/** Nanoseconds from their encoding: the low 3 bits count trailing decimal zeros less one. */
function decodeNanos(encoded: number): number {
  const zeros = encoded % 8
  const nanos = Math.floor(encoded / 8)
  return zeros === 0 ? nanos : nanos * 10 ** (zeros + 1)
}

function epochSecondsOf(seconds: number, nanos: number, baseOffset: number): number {
  const epochSeconds = seconds + BASE_UTC_SECONDS - baseOffset
  // Writers store negative times truncated toward zero, not floored: step back a second.
  return epochSeconds < 0 && nanos > 999_999 ? epochSeconds - 1 : epochSeconds
}

/** The offset of `writerTimezone` at ORC's timestamp base (2015-01-01 local). */
export function baseOffsetOf(writerTimezone: string): number {
  return zoneOffsetSeconds(writerTimezone, BASE_UTC_SECONDS)
}

/** `timestamp` as an ISO 8601 UTC string with milliseconds (`toISOString` form). */
export function orcTimestampToIso(timestamp: OrcTimestamp): string {
  return new Date(timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString()
}

/** `timestamp` as the wall-clock time in `timeZone`: `YYYY-MM-DD hh:mm:ss.f` (fraction without trailing zeros, at least one digit). */
export function formatOrcTimestamp(timestamp: OrcTimestamp, timeZone = 'UTC'): string {
  const local = timestamp.seconds + zoneOffsetSeconds(timeZone, timestamp.seconds)
  const iso = new Date(local * 1000).toISOString()
  const fraction = String(timestamp.nanos).padStart(9, '0').replace(/0+$/, '') || '0'
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction}`
}
