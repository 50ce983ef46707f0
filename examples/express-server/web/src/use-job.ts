import { useEffect, useRef, useState } from 'react'
import type { ApiClient } from './api/client.js'
import type { Job } from './api/types.js'

export const jobEnded = (job: Job): boolean => job.status !== 'queued' && job.status !== 'running'

/**
 * Follows a job by polling GET /api/jobs/{guid} every `ms` until it ends; `onEnd` runs once when it does
 * (to reload what the job changed). Returns the newest state read.
 */
export function useJob(api: ApiClient, initial: Job | null, onEnd?: (job: Job) => void, ms = 1000): { job: Job | null; error: unknown } {
  const [job, setJob] = useState<Job | null>(initial)
  const [error, setError] = useState<unknown>(null)
  // The newest onEnd, read when the job ends: a new closure each render must not restart the polling.
  const onEndRef = useRef(onEnd)
  onEndRef.current = onEnd
  useEffect(() => setJob(initial), [initial])
  const guid = job !== null && !jobEnded(job) ? job.guid : null
  useEffect(() => {
    if (guid === null) return
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const poll = async () => {
      try {
        const { job: next } = await api.getJob(guid)
        if (stopped) return
        setError(null)
        setJob(next)
        if (jobEnded(next)) {
          onEndRef.current?.(next)
          return
        }
      } catch (caught) {
        if (stopped) return
        setError(caught)
      }
      timer = setTimeout(poll, ms)
    }
    timer = setTimeout(poll, ms)
    return () => {
      stopped = true
      clearTimeout(timer)
    }
  }, [api, guid, ms])
  return { job, error }
}
