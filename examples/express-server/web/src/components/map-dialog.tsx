import { useEffect, useRef, useState, type FormEvent } from 'react'
import { ApiError } from '../api/client.js'
import { useApi } from '../api/context.js'
import type { Folder, FromInventoryResponse } from '../api/types.js'
import { plural } from '../view-model/format.js'
import { mappingProblems, rowOfConflict, type MappingRow } from '../view-model/mapping.js'
import { errorText } from './status.js'

export interface MapDialogProps {
  connectorGuid: string
  folders: readonly Folder[]
  /** Names of the connector's collections, checked against before submit. */
  existingNames: readonly string[]
  onClose: () => void
  onCreated: (answer: FromInventoryResponse) => void
}

/**
 * "Map to collections": one row per selected folder with its suggested name, editable; names are
 * checked as they are typed, then all are created in one call. A 409 is shown on the row it names.
 */
export function MapDialog({ connectorGuid, folders, existingNames, onClose, onCreated }: MapDialogProps) {
  const api = useApi()
  const dialog = useRef<HTMLDialogElement>(null)
  const mappable = folders.filter((f) => f.collectionGuid === null)
  const alreadyMapped = folders.length - mappable.length
  const [rows, setRows] = useState<MappingRow[]>(() => mappable.map((f) => ({ path: f.path, name: f.suggestedName })))
  const [rowError, setRowError] = useState<{ index: number; message: string } | null>(null)
  const [formError, setFormError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const problems = mappingProblems(rows, existingNames)
  const blocked = problems.some((p) => p !== null) || rows.length === 0

  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (blocked) return
    setBusy(true)
    setRowError(null)
    setFormError(null)
    try {
      const answer = await api.createCollections({ connectorGuid, folders: rows.map((r) => ({ path: r.path, name: r.name.trim() })) })
      onCreated(answer)
    } catch (error) {
      const index = error instanceof ApiError && (error.status === 409 || error.status === 404) ? rowOfConflict(error.message, rows) : -1
      if (index >= 0) setRowError({ index, message: error instanceof ApiError ? error.message : String(error) })
      else setFormError(`Nothing was created: ${errorText(error)}`)
    } finally {
      setBusy(false)
    }
  }

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="map-title" onCancel={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id="map-title">Map {plural(rows.length, 'folder')} to collections</h2>
        <p className="help">
          Each folder becomes a collection with this name (names are unique in the connector). They get their files at the next import, which is queued now.
          {alreadyMapped > 0 ? ` ${plural(alreadyMapped, 'selected folder is', 'selected folders are')} already mapped and left out.` : ''}
        </p>
        {formError ? (
          <p className="message error" role="alert">
            {formError}
          </p>
        ) : null}
        <div className="map-rows">
          {rows.map((row, i) => {
            const problem = rowError?.index === i ? `Not created: ${rowError.message}` : problems[i]
            const id = `map-name-${i}`
            return (
              <div key={row.path} className={`map-row${problem ? ' invalid' : ''}`}>
                <label htmlFor={id} className="mono map-path">
                  {row.path}
                </label>
                <input
                  id={id}
                  value={row.name}
                  aria-invalid={problem ? true : undefined}
                  aria-describedby={problem ? `${id}-error` : undefined}
                  onChange={(e) => {
                    const name = e.target.value
                    setRows((current) => current.map((r, j) => (j === i ? { ...r, name } : r)))
                    if (rowError?.index === i) setRowError(null)
                  }}
                />
                {problem ? (
                  <p id={`${id}-error`} className="field-error" role={rowError?.index === i ? 'alert' : undefined}>
                    {problem}
                  </p>
                ) : null}
              </div>
            )
          })}
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={blocked || busy}>
            {busy ? 'Creating…' : `Create ${plural(rows.length, 'collection')}`}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  )
}
