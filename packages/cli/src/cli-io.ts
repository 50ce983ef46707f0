/** Where the CLI writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  stdout: { write(text: string): unknown }
  stderr: { write(text: string): unknown; isTTY?: boolean | undefined; columns?: number | undefined }
}

/** A usage mistake: exit code 64 (EX_USAGE) with the message and a hint. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
/** The inventory could not be imported (bad manifest, checksum mismatch, corrupt data file, …). */
export const EXIT_INVENTORY_ERROR = 2
export const EXIT_USAGE = 64
/** Interrupted (Ctrl-C): 128 + SIGINT, as shells report it. The import resumes on the next run. */
export const EXIT_INTERRUPTED = 130

const integer = new Intl.NumberFormat('en-US')

export function formatCount(value: number): string {
  return integer.format(value)
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/** Prints stable JSON (2-space indented, newline-terminated). */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}
