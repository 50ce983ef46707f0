import { useMemo, useState } from 'react'
import { createApiClient } from './api/client.js'
import { ApiContext } from './api/context.js'
import { CollectionPage } from './pages/collection-page.js'
import { ConnectorPage, NewConnectorPage, type ConnectorTab } from './pages/connector-page.js'
import { ConnectorsPage } from './pages/connectors.js'
import { LoginPage } from './pages/login.js'
import { Link, matchPath, navigate, useLocation } from './router.js'
import { clearToken, readToken, saveToken } from './session.js'

const TABS: readonly ConnectorTab[] = ['folders', 'collections', 'settings']

function Routes() {
  const { path } = useLocation()
  if (path === '/' || path === '/connectors') return <ConnectorsPage />
  if (path === '/connectors/new') return <NewConnectorPage />
  const connector = matchPath('/connectors/:guid', path)
  if (connector) return <ConnectorPage key={connector.guid} guid={connector.guid!} tab="inventory" />
  const tab = matchPath('/connectors/:guid/:tab', path)
  if (tab && (TABS as readonly string[]).includes(tab.tab!)) return <ConnectorPage key={tab.guid} guid={tab.guid!} tab={tab.tab as ConnectorTab} />
  const collection = matchPath('/collections/:guid', path)
  if (collection) return <CollectionPage key={collection.guid} guid={collection.guid!} />
  return (
    <main className="page">
      <h1>Not found</h1>
      <p>
        There is no page at {path}. <Link to="/">Back to the connectors</Link>
      </p>
    </main>
  )
}

export function App() {
  const [token, setToken] = useState<string | null>(readToken)
  const [notice, setNotice] = useState<string | null>(null)
  const api = useMemo(
    () =>
      token === null
        ? null
        : createApiClient({
            token,
            onUnauthenticated: () => {
              clearToken()
              setNotice('The server did not accept the token (it may have been revoked). Log in again.')
              setToken(null)
            },
          }),
    [token],
  )
  if (api === null) {
    return (
      <LoginPage
        notice={notice}
        onLogin={(value) => {
          saveToken(value)
          setNotice(null)
          setToken(value)
        }}
      />
    )
  }
  return (
    <ApiContext.Provider value={api}>
      <header className="topbar">
        <Link to="/" className="brand">
          ShutterSense inventory
        </Link>
        <nav aria-label="Main">
          <Link to="/">Connectors</Link>
        </nav>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            clearToken()
            setToken(null)
            navigate('/')
          }}
        >
          Log out
        </button>
      </header>
      <Routes />
    </ApiContext.Provider>
  )
}
