/**
 * The zod schemas of every request and response of the server: the server validates with them, the
 * OpenAPI document is generated from them, and a web UI can import them
 * (`@shuttersense/inventory-server/schemas`) to type and check what it sends and receives.
 */
import { z } from 'zod'

export const ValidationIssueSchema = z
  .object({
    path: z.string().describe('Where: `body`, `query` or `params`, then the field path, e.g. `body.folders.0.path`.'),
    message: z.string(),
    code: z.string(),
  })
  .meta({ id: 'ValidationIssue' })

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code to branch on, e.g. NOT_FOUND, INVALID_ARGUMENT, IMPORT_IN_PROGRESS.'),
      message: z.string(),
      issues: z.array(ValidationIssueSchema).optional().describe('Every validation problem of a 400.'),
    }),
  })
  .meta({ id: 'Error' })
export type ErrorResponse = z.infer<typeof ErrorSchema>

export const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' })
