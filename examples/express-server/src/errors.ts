import type { ErrorRequestHandler, RequestHandler } from 'express'
import type { Logger } from 'pino'
import { isInventoryError, type InventoryErrorCode } from '@shuttersense/inventory-core'
import { z } from 'zod'
import { SecretDecryptError } from './crypto.js'

/** One problem of a request that failed validation: where (`path`, dotted) and what. */
export interface ValidationIssue {
  /** `body`, `query` or `params`, then the field path, e.g. `body.folders.0.path`. */
  path: string
  message: string
  code: string
}

/** The JSON of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; issues?: ValidationIssue[] | undefined }
  [extra: string]: unknown
}

/** An error with its HTTP answer; `extra` goes beside `error` (e.g. the running job of a 409). */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ValidationIssue[] | undefined,
    readonly extra?: Record<string, unknown> | undefined,
  ) {
    super(message)
  }
}

/** HTTP status of each code the inventory packages raise. */
const STATUS_OF_CODE: Record<InventoryErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_CONFIGURED: 409,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IMPORT_IN_PROGRESS: 409,
  ACCESS_DENIED: 502,
  MANIFEST_NOT_FOUND: 502,
  MANIFEST_INVALID: 502,
  CHECKSUM_MISMATCH: 502,
  SCHEMA_UNSUPPORTED: 502,
  FORMAT_UNSUPPORTED: 502,
  DATA_FILE_MISSING: 502,
  DATA_FILE_CORRUPT: 502,
  SOURCE_ERROR: 502,
  ABORTED: 503,
  STORE_ERROR: 503,
}

export function statusOfCode(code: InventoryErrorCode): number {
  return STATUS_OF_CODE[code] ?? 500
}

/** zod issues as {@link ValidationIssue}s under `where` (`body`, `query`, `params`). */
export function issuesOf(error: z.ZodError, where: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code,
  }))
}

/** Parses `value` with `schema`; a mismatch is a 400 listing every issue. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = issuesOf(result.error, where)
  throw new HttpError(400, 'INVALID_ARGUMENT', `invalid request ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues)
}

/** What an error answers: status and body. Never a stack trace; unexpected errors say only that they happened. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody; unexpected: boolean } {
  if (error instanceof HttpError) {
    return { status: error.status, body: { ...error.extra, error: { code: error.code, message: error.message, issues: error.issues } }, unexpected: false }
  }
  if (isInventoryError(error)) {
    const status = statusOfCode(error.code)
    return { status, body: { error: { code: error.code, message: error.message } }, unexpected: status >= 500 && error.code !== 'STORE_ERROR' }
  }
  if (error instanceof SecretDecryptError) {
    return { status: 500, body: { error: { code: 'CREDENTIALS_UNREADABLE', message: `stored credentials cannot be decrypted: ${error.message}` } }, unexpected: true }
  }
  if (error instanceof z.ZodError) {
    const issues = issuesOf(error, 'body')
    return { status: 400, body: { error: { code: 'INVALID_ARGUMENT', message: 'invalid request', issues } }, unexpected: false }
  }
  // body-parser's errors carry `type` and `status`.
  const bodyError = error as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown } | null
  if (bodyError && typeof bodyError.type === 'string') {
    switch (bodyError.type) {
      case 'entity.too.large':
        return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than this endpoint accepts' } }, unexpected: false }
      case 'entity.parse.failed':
        return { status: 400, body: { error: { code: 'INVALID_JSON', message: 'the request body is not valid JSON' } }, unexpected: false }
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return { status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: String(bodyError.message) } }, unexpected: false }
      default:
        break
    }
  }
  if (bodyError && typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500 && bodyError.expose === true) {
    return { status: bodyError.status, body: { error: { code: 'BAD_REQUEST', message: String(bodyError.message) } }, unexpected: false }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } }, unexpected: true }
}

/** The last middleware: every error becomes `{ error: { code, message } }` with its status. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error)
      return
    }
    const { status, body, unexpected } = errorResponse(error)
    if (unexpected) logger.error({ err: error, method: req.method, route: req.route?.path }, 'request failed')
    else if (status >= 500) logger.warn({ code: body.error.code, method: req.method, route: req.route?.path }, body.error.message)
    res.status(status).json(body)
  }
}

/** Answers 404 for paths no route serves. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no endpoint ${req.method} ${req.path}`))
}
