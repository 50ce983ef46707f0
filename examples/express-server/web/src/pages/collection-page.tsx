import { useEffect, useState, type FormEvent } from 'react'
import { useApi } from '../api/context.js'
import type { Collection, Delta, DeltaType, Job } from '../api/types.js'
import { Empty, ErrorMessage, LoadState } from '../components/status.js'
import { DataTable } from '../components/data-table.js'
import { Link } from '../router.js'
import { useApiResource } from '../use-api-resource.js'
import { jobEnded, useJob } from '../use-job.js'
import { deltaEntries, deltaShown, deltaSummary, fileInfoAge, relativeKey } from '../view-model/collection.js'
import { formatBytes, formatCount, formatDate, plural } from '../view-model/format.js'
import { progressLines } from '../view-model/job-progress.js'

const PAGE_SIZE = 50
const TYPE_TEXT: Record<'all' | DeltaType, string> = { all: 'All changes', new: 'New', modified: 'Modified', deleted: 'Deleted' }

/** "Refresh from S3": queues the refresh job, follows it, and reloads the collection when it ends. */
function FileInfoCard({ collection, onRefreshed }: { collection: Collection; onRefreshed: () => void }) {
  const api = useApi()
  // A refresh queued earlier (another tab, before a reload) is followed too.
  const pending = useApiResource(
    async (api) => {
      const [queued, running] = await Promise.all([
        api.listJobs({ connector: collection.connectorGuid, kind: 'refresh', status: 'queued', limit: 50 }),
        api.listJobs({ connector: collection.connectorGuid, kind: 'refresh', status: 'running', limit: 50 }),
      ])
      return [...running.jobs, ...queued.jobs].find((job) => job.payload?.collectionId === collection.guid) ?? null
    },
    [collection.guid, collection.connectorGuid],
  )
  const [started, setStarted] = useState<Job | null>(null)
  const [error, setError] = useState<unknown>(null)
  const followed = useJob(api, started ?? pending.data ?? null, (job) => {
    if (job.status === 'completed') onRefreshed()
  })
  const job = followed.job
  const busy = job !== null && !jobEnded(job)
  const age = fileInfoAge(collection, new Date())
  const refresh = async () => {
    setError(null)
    try {
      setStarted((await api.refreshCollection(collection.guid)).job)
    } catch (caught) {
      setError(caught)
    }
  }
  return (
    <section className="card" aria-labelledby="fileinfo-title">
      <h2 id="fileinfo-title">Files</h2>
      <p data-testid="fileinfo-age">
        {plural(collection.fileCount, 'file')}, {age.text}
        {collection.fileInfoUpdatedAt ? <span className="muted"> ({formatDate(collection.fileInfoUpdatedAt)})</span> : null}.
      </p>
      {age.stale ? <p className="message warning">This FileInfo is more than a week old: files changed since may be missing. Refresh from S3 lists the folder now.</p> : null}
      <div className="actions">
        <button type="button" onClick={refresh} disabled={busy}>
          {busy ? 'Refreshing…' : 'Refresh from S3'}
        </button>
        <span className="help">Lists the folder live (ListObjectsV2) and stores the result with a delta.</span>
      </div>
      {job ? (
        <div role="status" aria-live="polite" data-testid="refresh-status">
          {busy ? (
            <ul className="figures">
              {progressLines(job).map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : job.status === 'completed' ? (
            <p className="message ok">Refreshed from S3 {job.finishedAt ? formatDate(job.finishedAt) : ''}.</p>
          ) : job.status === 'failed' ? (
            <p className="message error">The refresh failed: {job.error?.message ?? 'no reason recorded'}</p>
          ) : (
            <p className="message none">The refresh was {job.status}.</p>
          )}
        </div>
      ) : null}
      <ErrorMessage error={error ?? followed.error ?? pending.error} title="Refresh from S3" />
    </section>
  )
}

/** The cached FileInfo, a page at a time in key order, filtered by a key prefix under the folder. */
function FileList({ collection, version }: { collection: Collection; version: number }) {
  const [prefixInput, setPrefixInput] = useState('')
  const [prefix, setPrefix] = useState('')
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined])
  const cursor = cursors[cursors.length - 1]
  const page = useApiResource(
    (api) => api.listFiles(collection.guid, { prefix: collection.folderPath + prefix, cursor, limit: PAGE_SIZE }),
    [collection.guid, collection.folderPath, prefix, cursor],
    { reloadOn: version },
  )
  useEffect(() => setCursors([undefined]), [version])
  const apply = (event: FormEvent) => {
    event.preventDefault()
    setPrefix(prefixInput)
    setCursors([undefined])
  }
  return (
    <section className="card" aria-labelledby="files-title">
      <h2 id="files-title">File list</h2>
      <form className="actions" onSubmit={apply} role="search" aria-label="Filter the files">
        <label htmlFor="file-prefix">Key starts with</label>
        <span className="mono muted">{collection.folderPath}</span>
        <input id="file-prefix" className="grow-input" value={prefixInput} onChange={(e) => setPrefixInput(e.target.value)} placeholder="ceremony/" />
        <button type="submit">Filter</button>
      </form>
      <LoadState
        resource={page}
        what="the files"
        empty={{ when: (data) => data.files.length === 0, text: prefix ? `No file key starts with ${collection.folderPath}${prefix}.` : 'No files cached yet.' }}
      >
        {({ files, nextCursor }) => (
          <>
            <DataTable
              label="Files table"
              caption="Files in key order"
              columns={[
                { label: 'Key' },
                { label: 'Size', className: 'num' },
                { label: 'Last modified', className: 'hide-narrow' },
                { label: 'Storage class', className: 'hide-narrow' },
              ]}
            >
              {files.map((file) => (
                <tr key={file.key}>
                  <td className="mono break">{relativeKey(file.key, collection.folderPath)}</td>
                  <td className="num">{formatBytes(file.size)}</td>
                  <td className="hide-narrow">{formatDate(file.lastModified)}</td>
                  <td className="hide-narrow">{file.storageClass}</td>
                </tr>
              ))}
            </DataTable>
            <nav className="actions" aria-label="File pages">
              <button type="button" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
                Previous page
              </button>
              <span>
                Page {cursors.length} ({formatCount((cursors.length - 1) * PAGE_SIZE + 1)}–{formatCount((cursors.length - 1) * PAGE_SIZE + files.length)})
              </span>
              <button type="button" disabled={nextCursor === null} onClick={() => nextCursor !== null && setCursors((c) => [...c, nextCursor])}>
                Next page
              </button>
            </nav>
          </>
        )}
      </LoadState>
    </section>
  )
}

function DeltaDetail({ delta, folderPath }: { delta: Delta; folderPath: string }) {
  const [type, setType] = useState<'all' | DeltaType>('all')
  const entries = deltaEntries(delta, type === 'all' ? undefined : type)
  return (
    <div className="delta-detail">
      <div className="actions">
        <label htmlFor="delta-type">Show</label>
        <select id="delta-type" value={type} onChange={(e) => setType(e.target.value as 'all' | DeltaType)}>
          {Object.entries(TYPE_TEXT).map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
        <span data-testid="delta-shown">{deltaShown(delta, type === 'all' ? undefined : type)}</span>
        {delta.truncated ? <span className="help">The server keeps at most the connector's "changed files kept per delta list" of each type.</span> : null}
      </div>
      {delta.baseline ? (
        <Empty>The first import of a collection is its baseline: every file is new, and the files are not listed here.</Empty>
      ) : entries.length === 0 ? (
        <Empty>No {type === 'all' ? 'changed' : type} files in this delta.</Empty>
      ) : (
        <DataTable
          label="Changed files table"
          columns={[{ label: 'Change' }, { label: 'Key' }, { label: 'Size', className: 'num' }, { label: 'Last modified', className: 'hide-narrow' }]}
        >
          {entries.map((entry) => (
            <tr key={`${entry.type}:${entry.key}`}>
              <td className={`change-${entry.type}`}>{entry.type}</td>
              <td className="mono break">{relativeKey(entry.key, folderPath)}</td>
              <td className="num">
                {entry.sizeBefore !== undefined && entry.sizeBefore !== entry.size ? `${formatBytes(entry.sizeBefore)} → ` : ''}
                {formatBytes(entry.size)}
              </td>
              <td className="hide-narrow">{formatDate(entry.lastModified)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  )
}

function Deltas({ collection, version }: { collection: Collection; version: number }) {
  const deltas = useApiResource((api) => api.listDeltas(collection.guid, { limit: 20 }), [collection.guid], { reloadOn: version })
  const [chosen, setChosen] = useState(0)
  useEffect(() => setChosen(0), [version])
  const list = deltas.data?.deltas ?? []
  const delta = list[chosen]
  return (
    <>
      <section className="card" aria-labelledby="latest-delta-title">
        <h2 id="latest-delta-title">Latest delta</h2>
        <LoadState
          resource={deltas}
          what="the deltas"
          empty={{ when: (data) => data.deltas.length === 0, text: 'No delta yet: the collection has not been imported or refreshed.' }}
        >
          {({ deltas: [latest] }) =>
            latest ? (
              <p data-testid="latest-delta">
                {deltaSummary(latest)} <span className="muted">— {formatDate(latest.computedAt)}</span>
              </p>
            ) : null
          }
        </LoadState>
      </section>
      {list.length > 0 ? (
        <section className="card" aria-labelledby="delta-history-title">
          <h2 id="delta-history-title">Delta history</h2>
          <DataTable label="Delta history table" columns={[{ label: 'Computed' }, { label: 'Changes' }, { label: <span className="sr-only">Detail</span> }]}>
            {list.map((d, i) => (
              <tr key={`${d.computedAt}:${i}`} className={i === chosen ? 'chosen' : undefined}>
                <td>{formatDate(d.computedAt)}</td>
                <td>{deltaSummary(d)}</td>
                <td>
                  <button type="button" className="link-button" aria-pressed={i === chosen} onClick={() => setChosen(i)}>
                    {i === chosen ? 'Shown below' : 'Show files'}
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
          {delta ? (
            <>
              <h3>Changed files of {formatDate(delta.computedAt)}</h3>
              <DeltaDetail key={`${delta.computedAt}:${chosen}`} delta={delta} folderPath={collection.folderPath} />
            </>
          ) : null}
        </section>
      ) : null}
    </>
  )
}

/** One collection: where its FileInfo came from and how old it is, refresh, files, and its deltas. */
export function CollectionPage({ guid }: { guid: string }) {
  const [version, setVersion] = useState(0)
  const collection = useApiResource((api) => api.getCollection(guid), [guid], { reloadOn: version })
  const connectorGuid = collection.data?.connectorGuid
  const connector = useApiResource((api) => (connectorGuid ? api.getConnector(connectorGuid) : Promise.resolve(null)), [connectorGuid])
  const c = collection.data
  return (
    <main className="page">
      <p className="crumbs">
        <Link to="/">Connectors</Link> /{' '}
        {c ? (
          <>
            <Link to={`/connectors/${c.connectorGuid}`}>{connector.data?.name ?? 'Connector'}</Link> / <Link to={`/connectors/${c.connectorGuid}/collections`}>Collections</Link> /
          </>
        ) : null}
      </p>
      <h1>{c?.name ?? 'Collection'}</h1>
      {c ? <p className="mono muted">{c.folderPath}</p> : null}
      <LoadState resource={collection} what="the collection" notFound="There is no such collection (it may have been deleted).">
        {(c) => (
          <>
            <FileInfoCard collection={c} onRefreshed={() => setVersion((v) => v + 1)} />
            <Deltas collection={c} version={version} />
            <FileList collection={c} version={version} />
          </>
        )}
      </LoadState>
    </main>
  )
}
