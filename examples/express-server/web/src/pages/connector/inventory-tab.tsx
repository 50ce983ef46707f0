import { useEffect, useRef, useState } from 'react'
import { ApiError } from '../../api/client.js'
import { useApi } from '../../api/context.js'
import type { Connector, InventoryStatus, Job, Schedule } from '../../api/types.js'
import { DataTable } from '../../components/data-table.js'
import { LoadState, errorText } from '../../components/status.js'
import { useApiResource } from '../../use-api-resource.js'
import { useInterval } from '../../use-interval.js'
import { auditDetailText } from '../../view-model/audit.js'
import { SCHEDULE_TEXT } from '../../view-model/connector-state.js'
import { formatAge, formatDate, formatPercent } from '../../view-model/format.js'
import { useJob } from '../../use-job.js'
import { importEndText, importSummaryLines, phaseSteps, progressLines, requestsText } from '../../view-model/job-progress.js'

function Progress({ job }: { job: Job }) {
  const p = job.progress
  return (
    <div className="progress" aria-live="polite" data-testid="import-progress">
      <ol className="phases" aria-label="Import phases">
        {phaseSteps(job.status === 'queued' ? null : p?.phase).map((step) => (
          <li key={step.phase} className={`phase ${step.state}`} aria-current={step.state === 'current' ? 'step' : undefined}>
            {step.label}
            <span className="sr-only"> ({step.state === 'todo' ? 'to come' : step.state})</span>
          </li>
        ))}
      </ol>
      <div
        className="bar"
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={p?.percent ?? undefined}
        aria-valuetext={formatPercent(p?.percent)}
      >
        <div className="bar-fill" style={{ width: `${Math.min(100, p?.percent ?? 0)}%` }} />
      </div>
      <ul className="figures">
        {progressLines(job).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </div>
  )
}

function ImportControls({ connector, status, onChanged }: { connector: Connector; status: InventoryStatus; onChanged: (connector?: Connector) => void }) {
  const api = useApi()
  const [message, setMessage] = useState<{ tone: 'ok' | 'error' | 'none'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  // The job "Import now" started (or found running), followed to its end: then its outcome replaces the message.
  const [started, setStarted] = useState<Job | null>(null)
  useJob(api, started, (job) => {
    setMessage(importEndText(job))
    onChanged()
  })
  const importNow = async () => {
    setBusy(true)
    setMessage(null)
    try {
      const { job } = await api.importNow(connector.guid)
      setStarted(job)
      setMessage({ tone: 'ok', text: job.status === 'running' ? 'The import is running.' : 'Import queued: an agent will start it at once.' })
    } catch (error) {
      // FR-067: "Import now" is always offered; a running import is not an error to the user, just followed.
      if (error instanceof ApiError && error.code === 'IMPORT_IN_PROGRESS') {
        const running = (error.body as { job?: Job } | null)?.job
        if (running) setStarted(running)
        setMessage({ tone: 'ok', text: 'An import is already running: its progress is shown below.' })
      } else setMessage({ tone: 'error', text: `Import now failed: ${errorText(error)}` })
    } finally {
      setBusy(false)
      onChanged()
    }
  }
  const setSchedule = async (schedule: Schedule) => {
    const config = connector.inventoryConfig
    if (!config) return
    setMessage(null)
    try {
      const { destinationPrefix, ...rest } = config
      const updated = await api.setInventoryConfig(connector.guid, { ...rest, ...(destinationPrefix ? { destinationPrefix } : {}), schedule })
      setMessage({ tone: 'ok', text: `Schedule: ${SCHEDULE_TEXT[schedule]}.` })
      onChanged(updated)
    } catch (error) {
      setMessage({ tone: 'error', text: `The schedule was not changed: ${errorText(error)}` })
    }
  }
  return (
    <div className="controls">
      <button type="button" className="primary" onClick={importNow} disabled={busy}>
        Import now
      </button>
      <div className="field inline-field">
        <label htmlFor="schedule-select">Schedule</label>
        <select
          id="schedule-select"
          value={status.schedule ?? 'manual'}
          disabled={connector.inventoryConfig === null}
          onChange={(e) => void setSchedule(e.target.value as Schedule)}
        >
          {Object.entries(SCHEDULE_TEXT).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      </div>
      {message ? (
        <p className={`message ${message.tone}`} role={message.tone === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
    </div>
  )
}

/** The inventory tab: import now, schedule, last and next import, live progress, history and audit log. */
export function InventoryTab({ connector, onConnectorChanged }: { connector: Connector; onConnectorChanged: (connector: Connector) => void }) {
  const status = useApiResource((api) => api.inventoryStatus(connector.guid), [connector.guid])
  const history = useApiResource((api) => api.listImports(connector.guid, 20), [connector.guid])
  const audit = useApiResource((api) => api.audit(connector.guid, 50), [connector.guid])
  // The status's currentJob is also a scheduled import queued for later: that one is the "next scheduled import".
  const queuedOrRunning = status.data?.currentJob ?? null
  const current = queuedOrRunning && (queuedOrRunning.status === 'running' || Date.parse(queuedOrRunning.scheduledAt) <= Date.now()) ? queuedOrRunning : null
  // Poll the status while an import is queued or running; when it ends, the history and audit change too.
  useInterval(status.reload, 1000, current !== null)
  const running = useRef<string | null>(null)
  const { reload: reloadHistory } = history
  const { reload: reloadAudit } = audit
  useEffect(() => {
    if (running.current !== null && current === null) {
      reloadHistory()
      reloadAudit()
    }
    running.current = current?.guid ?? null
  }, [current, reloadHistory, reloadAudit])
  // An import quicker than one poll ends unseen: a new or finished last import reloads them too.
  const lastImportState = status.data?.lastImport ? `${status.data.lastImport.guid}:${status.data.lastImport.status}` : null
  useEffect(() => {
    if (lastImportState === null) return
    reloadHistory()
    reloadAudit()
  }, [lastImportState, reloadHistory, reloadAudit])
  const now = new Date()
  const reloadAll = (updated?: Connector) => {
    if (updated) onConnectorChanged(updated)
    status.reload()
    history.reload()
    audit.reload()
  }
  return (
    <div className="tab-body">
      <LoadState resource={status} what="the inventory status">
        {(s) => (
          <section className="card" aria-labelledby="inventory-title">
            <h2 id="inventory-title">Inventory import</h2>
            {!s.configured ? <p className="message warning">This connector has no inventory settings yet: set them in Settings before importing.</p> : null}
            <ImportControls connector={connector} status={s} onChanged={reloadAll} />
            <dl className="facts">
              <div>
                <dt>Last import</dt>
                <dd>
                  {s.lastImport ? (
                    <>
                      {s.lastImport.status === 'completed' ? 'Completed' : s.lastImport.status === 'failed' ? 'Failed' : 'Running'}{' '}
                      <time dateTime={s.lastImport.finishedAt ?? s.lastImport.startedAt} title={formatDate(s.lastImport.finishedAt ?? s.lastImport.startedAt)}>
                        {formatAge(s.lastImport.finishedAt ?? s.lastImport.startedAt, now)}
                      </time>{' '}
                      (report {s.lastImport.inventoryTimestamp})
                    </>
                  ) : (
                    'Never'
                  )}
                </dd>
              </div>
              <div>
                <dt>Next scheduled import</dt>
                <dd>
                  {s.nextScheduledImportAt
                    ? `${formatDate(s.nextScheduledImportAt)} (${formatAge(s.nextScheduledImportAt, now)})`
                    : s.schedule === 'manual'
                      ? 'None (manual)'
                      : '—'}
                </dd>
              </div>
              <div>
                <dt>Folders</dt>
                <dd>
                  {s.folderCount.toLocaleString('en-US')} ({s.mappedFolderCount.toLocaleString('en-US')} mapped to collections)
                </dd>
              </div>
              <div>
                <dt>S3 requests</dt>
                <dd>{s.lastImport ? requestsText(s.lastImport.requests) : '—'}</dd>
              </div>
            </dl>
            {s.lastImport?.status === 'failed' && s.lastImport.error ? (
              <p className="message error">
                The last import failed: {s.lastImport.error.message} ({s.lastImport.error.code})
              </p>
            ) : null}
            {current ? (
              <>
                <h3>Running import</h3>
                <Progress job={current} />
              </>
            ) : null}
          </section>
        )}
      </LoadState>
      <section className="card" aria-labelledby="history-title">
        <h2 id="history-title">Import history</h2>
        <LoadState resource={history} what="the import history" empty={{ when: (data) => data.imports.length === 0, text: 'No imports yet.' }}>
          {(data) => (
            <DataTable
              label="Import history table"
              columns={[{ label: 'Started' }, { label: 'Status' }, { label: 'Report' }, { label: 'Figures' }, { label: 'S3 requests', className: 'hide-narrow' }]}
            >
              {data.imports.map((imp) => (
                <tr key={imp.guid}>
                  <td>{formatDate(imp.startedAt)}</td>
                  <td className={imp.status === 'failed' ? 'state-failed' : undefined}>
                    {imp.status}
                    {imp.status === 'running' ? ` (phase ${imp.phase})` : ''}
                    {imp.error ? `: ${imp.error.message}` : ''}
                  </td>
                  <td className="mono">{imp.inventoryTimestamp}</td>
                  <td>{importSummaryLines(imp).join('; ') || '—'}</td>
                  <td className="hide-narrow">{imp.requests ? requestsText(imp.requests) : '—'}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </LoadState>
      </section>
      <section className="card" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit log</h2>
        <LoadState resource={audit} what="the audit log" empty={{ when: (data) => data.entries.length === 0, text: 'Nothing recorded yet.' }}>
          {(data) => (
            <DataTable label="Audit log table" columns={[{ label: 'When' }, { label: 'Who' }, { label: 'What' }, { label: 'Detail', className: 'hide-narrow' }]}>
              {data.entries.map((entry) => (
                <tr key={entry.seq}>
                  <td>{formatDate(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td className="mono">{entry.action}</td>
                  <td className="hide-narrow">{auditDetailText(entry.detail)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </LoadState>
      </section>
    </div>
  )
}
