import type { ValidationIssue } from '../api/types.js'

/**
 * The API's validation issues of a 400 as messages by form field: `body.credentials.accessKeyId` ->
 * `credentials.accessKeyId`. A field keeps its first message; issues of `body` itself (no field) go to `''`.
 */
export function fieldErrors(issues: readonly ValidationIssue[], where = 'body'): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of issues) {
    if (issue.path !== where && !issue.path.startsWith(`${where}.`)) continue
    const field = issue.path.slice(where.length + 1)
    errors[field] ??= issue.message
  }
  return errors
}
