import pino, { type DestinationStream, type Logger } from 'pino'

/**
 * Log fields that may hold object keys or folder paths of a user's bucket: file names can be private
 * (people's names, places), so they are redacted unless SHUTTERSENSE_LOG_OBJECT_KEYS=1.
 */
export const OBJECT_KEY_FIELDS = ['key', 'keys', 'path', 'paths', 'prefix', 'folderPath', 'file', 'query']

/** Structured JSON logs; credentials and bearer tokens are always redacted. */
export function createLogger(options: { level?: string; logObjectKeys?: boolean; destination?: DestinationStream } = {}): Logger {
  const keyPaths = options.logObjectKeys ? [] : OBJECT_KEY_FIELDS.flatMap((field) => [field, `*.${field}`])
  return pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          'headers.authorization',
          'req.headers.authorization',
          'credentials',
          '*.credentials',
          'secretAccessKey',
          '*.secretAccessKey',
          'sessionToken',
          '*.sessionToken',
          'token',
          '*.token',
          ...keyPaths,
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  )
}
