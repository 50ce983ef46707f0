import type { Connector } from '../../api/types.js'
import { LoadState } from '../../components/status.js'
import { DataTable } from '../../components/data-table.js'
import { Link } from '../../router.js'
import { useApiResource } from '../../use-api-resource.js'
import { fileInfoAge } from '../../view-model/collection.js'
import { formatCount } from '../../view-model/format.js'

/** The connector's collections with their file counts and the age of their FileInfo. */
export function CollectionsTab({ connector }: { connector: Connector }) {
  const list = useApiResource((api) => api.listCollections(connector.guid), [connector.guid])
  const now = new Date()
  return (
    <div className="tab-body">
      <LoadState
        resource={list}
        what="the collections"
        empty={{ when: (data) => data.collections.length === 0, text: 'No collections yet: select folders in Folders and map them.' }}
      >
        {(data) => (
          <DataTable
            label="Collections table"
            caption="Collections"
            columns={[{ label: 'Name' }, { label: 'Folder', className: 'hide-narrow' }, { label: 'Files', className: 'num' }, { label: 'FileInfo' }]}
          >
            {data.collections.map((c) => {
              const age = fileInfoAge(c, now)
              return (
                <tr key={c.guid}>
                  <td>
                    <Link to={`/collections/${c.guid}`}>{c.name}</Link>
                  </td>
                  <td className="mono hide-narrow">{c.folderPath}</td>
                  <td className="num">{formatCount(c.fileCount)}</td>
                  <td className={age.stale ? 'stale' : undefined}>
                    {age.text}
                    {age.stale ? ' (old)' : ''}
                  </td>
                </tr>
              )
            })}
          </DataTable>
        )}
      </LoadState>
    </div>
  )
}
