import { useApi } from '../../api/context.js'
import type { Connector } from '../../api/types.js'
import { Empty, ErrorMessage, Loading } from '../../components/status.js'
import { Link } from '../../router.js'
import { useAsync } from '../../use-async.js'
import { fileInfoAge } from '../../view-model/collection.js'
import { formatCount } from '../../view-model/format.js'

/** The connector's collections with their file counts and the age of their FileInfo. */
export function CollectionsTab({ connector }: { connector: Connector }) {
  const api = useApi()
  const list = useAsync(() => api.listCollections(connector.guid), [api, connector.guid])
  const now = new Date()
  return (
    <div className="tab-body">
      <ErrorMessage error={list.error} title="The collections could not be loaded" />
      {list.data === undefined ? (
        list.loading ? <Loading what="the collections" /> : null
      ) : list.data.collections.length === 0 ? (
        <Empty>No collections yet: select folders in Folders and map them.</Empty>
      ) : (
        <div className="table-wrap" role="region" aria-label="Collections table" tabIndex={0}>
          <table className="table">
            <caption className="sr-only">Collections</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="hide-narrow">
                  Folder
                </th>
                <th scope="col" className="num">
                  Files
                </th>
                <th scope="col">FileInfo</th>
              </tr>
            </thead>
            <tbody>
              {list.data.collections.map((c) => {
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
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
