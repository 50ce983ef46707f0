import { useState, type FormEvent } from 'react'
import { createApiClient } from '../api/client.js'
import { ErrorMessage } from '../components/status.js'

/** Asks for the user token and checks it with one call before keeping it. */
export function LoginPage({ onLogin, notice }: { onLogin: (token: string) => void; notice: string | null }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const value = token.trim()
    if (!value) return setError(new Error('Enter the user token (it starts with ssu_).'))
    setBusy(true)
    setError(null)
    try {
      await createApiClient({ token: value }).listConnectors()
      onLogin(value)
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main className="page narrow">
      <h1>ShutterSense inventory</h1>
      <form onSubmit={submit} className="card" aria-labelledby="login-title">
        <h2 id="login-title">Log in</h2>
        {notice ? (
          <p className="message warning" role="status">
            {notice}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="token">User token</label>
          <input id="token" name="token" type="password" autoComplete="current-password" value={token} onChange={(e) => setToken(e.target.value)} aria-describedby="token-help" />
          <p id="token-help" className="help">
            The token the server printed at its first start (or <code>npm start</code> printed), or one from <code>npm run server -- tokens create</code>.
          </p>
        </div>
        <ErrorMessage error={error} title="Log in failed" />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
      </form>
    </main>
  )
}
