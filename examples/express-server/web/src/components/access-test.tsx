import { useState } from 'react'
import { useApi } from '../api/context.js'
import type { Connector, Job } from '../api/types.js'
import { useApiResource } from '../use-api-resource.js'
import { jobEnded, useJob } from '../use-job.js'
import { describeAccessTest } from '../view-model/access-test.js'
import { ErrorMessage } from './status.js'

/** "Test access": queues a test job, follows it, and says what the agent found, in words. */
export function AccessTest({ connector }: { connector: Connector }) {
  const api = useApi()
  const status = useApiResource((api) => api.inventoryStatus(connector.guid), [connector.guid])
  const [started, setStarted] = useState<Job | null>(null)
  const [error, setError] = useState<unknown>(null)
  const followed = useJob(api, started)
  const job = followed.job ?? status.data?.lastAccessTest ?? null
  const busy = job !== null && !jobEnded(job)
  const described = describeAccessTest(job, new Date())
  const configured = connector.inventoryConfig !== null
  const start = async () => {
    setError(null)
    try {
      setStarted((await api.testAccess(connector.guid)).job)
    } catch (caught) {
      setError(caught)
    }
  }
  return (
    <section className="card" aria-labelledby="access-test-title">
      <h2 id="access-test-title">Test access</h2>
      <p className="help">An agent looks for the newest complete report with the stored credentials and says what it found or what is missing.</p>
      <div className="actions">
        <button type="button" onClick={start} disabled={!configured || busy}>
          {busy ? 'Testing…' : 'Test access'}
        </button>
        {!configured ? <span className="help">Save the inventory settings first.</span> : null}
      </div>
      <p className={`message ${described.tone}`} role="status" aria-live="polite" data-testid="access-test-result">
        {described.text}
      </p>
      <ErrorMessage error={error ?? followed.error} title="The test could not be started" />
    </section>
  )
}
