import { LoadState } from '../components/status.js'
import { DataTable } from '../components/data-table.js'
import { Link } from '../router.js'
import { useApiResource } from '../use-api-resource.js'
import { useInterval } from '../use-interval.js'
import { CONNECTOR_STATE_TEXT } from '../view-model/connector-state.js'
import { formatAge, formatCount, formatDate } from '../view-model/format.js'

/** Every connector with its state, folder count and last import: one call (the list carries them). */
export function ConnectorsPage() {
  const list = useApiResource((api) => api.listConnectors(), [])
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
      <LoadState
        resource={list}
        what="the connectors"
        empty={{ when: (data) => data.connectors.length === 0, text: "No connectors yet. Create one with the S3 credentials and the inventory's location." }}
      >
        {(data) => (
          <DataTable
            label="Connectors table"
            caption="Connectors"
            columns={[{ label: 'Name' }, { label: 'State' }, { label: 'Folders', className: 'num' }, { label: 'Last import' }, { label: 'Inventory', className: 'hide-narrow' }]}
          >
            {data.connectors.map((c) => (
              <tr key={c.guid}>
                <td>
                  <Link to={`/connectors/${c.guid}`}>{c.name}</Link>
                  {c.hasCredentials ? null : <span className="tag">no credentials</span>}
                </td>
                <td>
                  <span className={`state state-${c.state}`}>{CONNECTOR_STATE_TEXT[c.state]}</span>
                </td>
                <td className="num">{formatCount(c.folderCount)}</td>
                <td>
                  {c.lastImportAt ? (
                    <time dateTime={c.lastImportAt} title={formatDate(c.lastImportAt)}>
                      {formatAge(c.lastImportAt, now)}
                    </time>
                  ) : (
                    '—'
                  )}
                </td>
                <td className="mono hide-narrow">
                  {c.inventoryConfig
                    ? `s3://${c.inventoryConfig.destinationBucket}/${c.inventoryConfig.destinationPrefix ? `${c.inventoryConfig.destinationPrefix}/` : ''}${c.inventoryConfig.sourceBucket}/${c.inventoryConfig.configName}/`
                    : '—'}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </LoadState>
    </main>
  )
}
