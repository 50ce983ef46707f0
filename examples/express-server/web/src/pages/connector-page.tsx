import { useState } from 'react'
import type { Connector } from '../api/types.js'
import { AccessTest } from '../components/access-test.js'
import { LoadState } from '../components/status.js'
import { Link, navigate } from '../router.js'
import { useApiResource } from '../use-api-resource.js'
import { ConnectorForm } from './connector-form.js'
import { CollectionsTab } from './connector/collections-tab.js'
import { FoldersTab } from './connector/folders-tab.js'
import { InventoryTab } from './connector/inventory-tab.js'

export type ConnectorTab = 'inventory' | 'folders' | 'collections' | 'settings'
const TAB_TEXT: Record<ConnectorTab, string> = { inventory: 'Inventory', folders: 'Folders', collections: 'Collections', settings: 'Settings' }

export function NewConnectorPage() {
  return (
    <main className="page">
      <p className="crumbs">
        <Link to="/">Connectors</Link> /
      </p>
      <h1>New connector</h1>
      <ConnectorForm connector={null} onSaved={(created) => navigate(`/connectors/${created.guid}/settings?created=1`, { replace: true })} />
    </main>
  )
}

/** One connector, in tabs (each a URL of its own): inventory, folders, collections, settings. */
export function ConnectorPage({ guid, tab }: { guid: string; tab: ConnectorTab }) {
  const loaded = useApiResource((api) => api.getConnector(guid), [guid])
  const [changed, setChanged] = useState<Connector | null>(null)
  const connector = changed?.guid === guid ? changed : (loaded.data ?? null)
  const justCreated = new URLSearchParams(location.search).has('created')
  return (
    <main className="page">
      <p className="crumbs">
        <Link to="/">Connectors</Link> /
      </p>
      <h1>{connector?.name ?? 'Connector'}</h1>
      <nav className="tabs" aria-label="Connector sections">
        {(Object.keys(TAB_TEXT) as ConnectorTab[]).map((key) => (
          <Link
            key={key}
            to={`/connectors/${guid}${key === 'inventory' ? '' : `/${key}`}`}
            aria-current={key === tab ? 'page' : undefined}
            className={key === tab ? 'tab active' : 'tab'}
          >
            {TAB_TEXT[key]}
          </Link>
        ))}
      </nav>
      <LoadState resource={{ ...loaded, data: connector ?? undefined }} what="the connector" notFound="There is no such connector (it may have been deleted).">
        {(connector) =>
          tab === 'inventory' ? (
            <InventoryTab connector={connector} onConnectorChanged={setChanged} />
          ) : tab === 'folders' ? (
            <FoldersTab connector={connector} />
          ) : tab === 'collections' ? (
            <CollectionsTab connector={connector} />
          ) : (
            <div className="tab-body">
              {justCreated ? (
                <p className="message ok" role="status">
                  Connector created. Test access, then import from the Inventory tab.
                </p>
              ) : null}
              <ConnectorForm connector={connector} onSaved={setChanged} />
              <AccessTest connector={connector} />
            </div>
          )
        }
      </LoadState>
    </main>
  )
}
