import { useState } from 'react'
import { useApi } from '../api/context.js'
import type { Connector } from '../api/types.js'
import { AccessTest } from '../components/access-test.js'
import { ErrorMessage, Loading } from '../components/status.js'
import { Link } from '../router.js'
import { useAsync } from '../use-async.js'
import { ConnectorForm } from './connector-form.js'

export function NewConnectorPage() {
  const [created, setCreated] = useState<Connector | null>(null)
  return (
    <main className="page">
      <p className="crumbs">
        <Link to="/">Connectors</Link> /
      </p>
      <h1>New connector</h1>
      <ConnectorForm connector={null} onSaved={setCreated} />
      {created ? <AccessTest connector={created} /> : null}
    </main>
  )
}

/** One connector: its settings and the access test. */
export function ConnectorPage({ guid }: { guid: string }) {
  const api = useApi()
  const loaded = useAsync(() => api.getConnector(guid), [api, guid])
  const [connector, setConnector] = useState<Connector | null>(null)
  const current = connector?.guid === guid ? connector : (loaded.data ?? null)
  return (
    <main className="page">
      <p className="crumbs">
        <Link to="/">Connectors</Link> /
      </p>
      <h1>{current?.name ?? 'Connector'}</h1>
      <ErrorMessage error={loaded.error} title="The connector could not be loaded" />
      {current === null ? (
        loaded.loading ? <Loading what="the connector" /> : null
      ) : (
        <>
          <ConnectorForm connector={current} onSaved={setConnector} />
          <AccessTest connector={current} />
        </>
      )}
    </main>
  )
}
