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

/**
 * Calls `load` with the logged-in user's API client when `deps` change (and on reload). An answer that
 * arrives after a newer call is dropped, so a slow old answer never replaces a newer one.
 */
export function useApiResource<T>(load: (api: ApiClient) => Promise<T>, deps: readonly unknown[]): ApiResource<T> {
  const api = useApi()
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true })
  const [tick, setTick] = useState(0)
  const call = useRef(0)
  useEffect(() => {
    const id = ++call.current
    setState((s) => ({ ...s, loading: true }))
    load(api).then(
      (data) => id === call.current && setState({ data, error: null, loading: false }),
      (error: unknown) => id === call.current && setState((s) => ({ data: s.data, error, loading: false })),
    )
  }, [api, ...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { ...state, reload }
}
