import { useCallback, useEffect, useRef, useState } from 'react'

export interface AsyncState<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  /** Loads again; the old data stays shown meanwhile. */
  reload: () => void
}

/** Runs `load` when `deps` change (and on reload); an answer that arrives after a newer call is dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true })
  const [tick, setTick] = useState(0)
  const call = useRef(0)
  useEffect(() => {
    const id = ++call.current
    setState((s) => ({ ...s, loading: true }))
    load().then(
      (data) => id === call.current && setState({ data, error: null, loading: false }),
      (error: unknown) => id === call.current && setState((s) => ({ data: s.data, error, loading: false })),
    )
  }, [...deps, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { ...state, reload }
}

/** Calls `tick` every `ms` while `active`. */
export function useInterval(tick: () => void, ms: number, active: boolean): void {
  const latest = useRef(tick)
  latest.current = tick
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => latest.current(), ms)
    return () => clearInterval(timer)
  }, [ms, active])
}
