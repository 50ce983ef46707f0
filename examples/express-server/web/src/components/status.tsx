/** Loading, empty and error states, each with the role a screen reader announces. */
import type { ReactNode } from 'react'
import { ApiError } from '../api/client.js'

/** An error in words: the API's message and code, or what went wrong in the browser. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? error.message : `${error.message} (${error.code}, HTTP ${error.status})`
  if (error instanceof Error) return error.message
  return String(error)
}

export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null
  return (
    <div className="message error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {errorText(error)}
    </div>
  )
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}
