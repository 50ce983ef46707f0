import { useCallback, useMemo, useState } from 'react'
import type { Connector, Folder, FromInventoryResponse } from '../../api/types.js'
import { FolderTree } from '../../components/folder-tree.js'
import { MapDialog } from '../../components/map-dialog.js'
import { ErrorMessage } from '../../components/status.js'
import { useApiResource } from '../../use-api-resource.js'
import { plural } from '../../view-model/format.js'

/** The folder tree of the last import, with "Map to collections" for the selected folders. */
export function FoldersTab({ connector }: { connector: Connector }) {
  const collections = useApiResource((api) => api.listCollections(connector.guid), [connector.guid])
  const names = useMemo(() => new Map((collections.data?.collections ?? []).map((c) => [c.guid, c.name])), [collections.data])
  const [selection, setSelection] = useState<Folder[]>([])
  const [mapping, setMapping] = useState(false)
  const [updated, setUpdated] = useState<Folder[]>([])
  const [notice, setNotice] = useState<string | null>(null)
  const onSelectionChange = useCallback((folders: Folder[]) => setSelection(folders), [])
  const unmapped = selection.filter((f) => f.collectionGuid === null)
  const created = (answer: FromInventoryResponse) => {
    setMapping(false)
    const byPath = new Map(answer.collections.map((c) => [c.folderPath, c.guid]))
    setUpdated(selection.filter((f) => byPath.has(f.path)).map((f) => ({ ...f, collectionGuid: byPath.get(f.path)! })))
    collections.reload()
    setNotice(
      `Created ${plural(answer.collections.length, 'collection')}.` +
        (answer.job ? ` Import ${answer.job.status === 'running' ? 'running' : 'queued'}: it gives them their files.` : ' They get their files at the next import.'),
    )
  }
  return (
    <div className="tab-body">
      <ErrorMessage error={collections.error} title="The collections could not be loaded" />
      <div className="selection-bar" aria-live="polite">
        <span>{selection.length === 0 ? 'No folder selected.' : `${plural(selection.length, 'folder')} selected${unmapped.length < selection.length ? ` (${unmapped.length} not mapped yet)` : ''}.`}</span>
        <button type="button" className="primary" disabled={unmapped.length === 0 || collections.data === undefined} onClick={() => setMapping(true)}>
          Map to collections…
        </button>
      </div>
      {notice ? (
        <p className="message ok" role="status">
          {notice}
        </p>
      ) : null}
      <FolderTree connectorGuid={connector.guid} collectionNames={names} onSelectionChange={onSelectionChange} updatedFolders={updated} />
      {mapping ? (
        <MapDialog
          connectorGuid={connector.guid}
          folders={selection}
          existingNames={(collections.data?.collections ?? []).map((c) => c.name)}
          onClose={() => setMapping(false)}
          onCreated={created}
        />
      ) : null}
    </div>
  )
}
