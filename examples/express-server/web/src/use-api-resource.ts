import { useCallback, useEffect, useRef, useState } from 'react'
import type { ApiClient } from './api/client.js'
import { useApi } from './api/context.js'

/** Something a view reads from the API: the newest answer, the last load's error, whether a load runs, and reload. */
export interface ApiResource<T> {
  data: T | undefined
  /** The last load's error (an ApiError carries the API's code and message); null once a load succeeds. */
  error: unknown
  loading: boolean
  /** Loads again; the old data stays shown meanwhile. */
  reload: () => void
}

/** Options of {@link useApiResource}. */
export interface ApiResourceOptions {
  /** A value whose change loads the same resource again, as `reload` does (a counter bumped after a write). */
  reloadOn?: unknown
}

const sameDeps = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((value, i) => Object.is(value, b[i]))

/**
 * Calls `load` with the logged-in user's API client when `deps` change (and on reload). `deps` name the
 * resource: when they change (another connector, a filter, a page), the old answer is not shown and the
 * resource reads as loading; a reload of the same resource keeps the old answer until the new one. An
 * answer that arrives after a newer call is dropped, so a slow old answer never replaces a newer one.
 */
export function useApiResource<T>(load: (api: ApiClient) => Promise<T>, deps: readonly unknown[], options: ApiResourceOptions = {}): ApiResource<T> {
  const api = useApi()
  const resource = [api, ...deps]
  const [state, setState] = useState<{ resource: readonly unknown[]; data: T | undefined; error: unknown; loading: boolean }>(() => ({
    resource,
    data: undefined,
    error: null,
    loading: true,
  }))
  const [tick, setTick] = useState(0)
  const call = useRef(0)
  useEffect(() => {
    const id = ++call.current
    setState((s) => (sameDeps(s.resource, resource) ? { ...s, loading: true } : { resource, data: undefined, error: null, loading: true }))
    load(api).then(
      (data) => id === call.current && setState({ resource, data, error: null, loading: false }),
      (error: unknown) => id === call.current && setState((s) => ({ resource, data: s.data, error, loading: false })),
    )
  }, [...resource, tick, options.reloadOn])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  // Rendered with new deps before the effect has run: the state still holds the old resource's answer.
  if (!sameDeps(state.resource, resource)) return { data: undefined, error: null, loading: true, reload }
  return { data: state.data, error: state.error, loading: state.loading, reload }
}
