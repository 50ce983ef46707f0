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

export interface LoadStateProps<T> {
  resource: { data: T | undefined; error: unknown; loading: boolean }
  /** What is loaded, as it reads in a sentence: "the import history". */
  what: string
  /** Said instead of the error when the API answers 404 (the thing was deleted or never was). */
  notFound?: string | undefined
  /** The empty state: shown instead of `children` when `when(data)` holds. */
  empty?: { when: (data: T) => boolean; text: ReactNode } | undefined
  children: (data: T) => ReactNode
}

/**
 * The states of something loaded from the API: the error in words ("The import history could not be
 * loaded: …", kept above older data still shown), "Loading …" until the first answer, the empty state,
 * then `children` with the data.
 */
export function LoadState<T>({ resource, what, notFound, empty, children }: LoadStateProps<T>) {
  const { data, error, loading } = resource
  const missing = notFound !== undefined && error instanceof ApiError && error.status === 404
  return (
    <>
      {missing ? (
        <p className="message error" role="alert">
          {notFound}
        </p>
      ) : (
        <ErrorMessage error={error} title={`${what.charAt(0).toUpperCase()}${what.slice(1)} could not be loaded`} />
      )}
      {data === undefined ? loading ? <Loading what={what} /> : null : empty?.when(data) ? <Empty>{empty.text}</Empty> : children(data)}
    </>
  )
}
