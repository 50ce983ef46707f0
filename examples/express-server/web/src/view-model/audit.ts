import type { AuditEntry } from '../api/types.js'

const scalar = (value: unknown): string =>
  value === null || value === undefined ? '—' : typeof value === 'object' ? JSON.stringify(value) : typeof value === 'number' ? value.toLocaleString('en-US') : String(value)

/** An audit entry's detail as `schedule: daily, format: CSV`; nested values as compact JSON; '' for none. */
export function auditDetailText(detail: AuditEntry['detail']): string {
  if (!detail) return ''
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${scalar(value)}`)
    .join(', ')
}
