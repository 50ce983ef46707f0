import { useApi } from '../api/context.js'
import { Empty, ErrorMessage, Loading } from '../components/status.js'
import { Link } from '../router.js'
import { useAsync, useInterval } from '../use-async.js'
import { CONNECTOR_STATE_TEXT } from '../view-model/connector-state.js'
import { formatAge, formatCount, formatDate } from '../view-model/format.js'

/** Every connector with its state, folder count and last import: one call (the list carries them). */
export function ConnectorsPage() {
  const api = useApi()
  const list = useAsync(() => api.listConnectors(), [api])
  const busy = list.data?.connectors.some((c) => c.state === 'running' || c.state === 'queued') ?? false
  useInterval(list.reload, 3000, busy)
  const now = new Date()
  return (
    <main className="page">
      <div className="page-head">
        <h1>Connectors</h1>
        <Link to="/connectors/new" className="button primary">
          Create connector
        </Link>
      </div>
      <ErrorMessage error={list.error} title="The connectors could not be loaded" />
      {list.data === undefined ? (
        list.loading ? <Loading what="connectors" /> : null
      ) : list.data.connectors.length === 0 ? (
        <Empty>No connectors yet. Create one with the S3 credentials and the inventory's location.</Empty>
      ) : (
        <div className="table-wrap" role="region" aria-label="Connectors table" tabIndex={0}>
          <table className="table">
            <caption className="sr-only">Connectors</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Folders
                </th>
                <th scope="col">Last import</th>
                <th scope="col" className="hide-narrow">
                  Inventory
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.connectors.map((c) => (
                <tr key={c.guid}>
                  <td>
                    <Link to={`/connectors/${c.guid}`}>{c.name}</Link>
                    {c.hasCredentials ? null : <span className="tag">no credentials</span>}
                  </td>
                  <td>
                    <span className={`state state-${c.state}`}>{CONNECTOR_STATE_TEXT[c.state]}</span>
                  </td>
                  <td className="num">{formatCount(c.folderCount)}</td>
                  <td>{c.lastImportAt ? <time dateTime={c.lastImportAt} title={formatDate(c.lastImportAt)}>{formatAge(c.lastImportAt, now)}</time> : '—'}</td>
                  <td className="mono hide-narrow">
                    {c.inventoryConfig
                      ? `s3://${c.inventoryConfig.destinationBucket}/${c.inventoryConfig.destinationPrefix ? `${c.inventoryConfig.destinationPrefix}/` : ''}${c.inventoryConfig.sourceBucket}/${c.inventoryConfig.configName}/`
                      : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </main>
  )
}
