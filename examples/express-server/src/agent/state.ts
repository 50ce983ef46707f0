import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { InventoryError } from '@shuttersense/inventory-core'
import { createAgentApi, type RetryPolicy } from './agent-api.js'

/** What an agent keeps between runs (its state file, readable by its user only). */
export interface AgentState {
  serverUrl: string
  agentId: string
  name: string
  /** The agent token: a secret. */
  token: string
}

/** Options of {@link loadOrRegister}. */
export interface LoadOrRegisterOptions {
  serverUrl: string
  statePath: string
  /** Needed on the first start only, to exchange for an agent token. */
  registrationToken?: string | undefined
  name: string
  retry?: RetryPolicy | undefined
  fetch?: typeof fetch | undefined
}

/**
 * The agent's identity: read from its state file, or (first start) obtained by exchanging the
 * registration token once for an agent token, which is then written to the state file (mode 0600).
 */
export async function loadOrRegister(options: LoadOrRegisterOptions): Promise<AgentState> {
  let text: string | undefined
  try {
    text = readFileSync(options.statePath, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text !== undefined) {
    const state = JSON.parse(text) as AgentState
    if (state.serverUrl.replace(/\/+$/, '') !== options.serverUrl.replace(/\/+$/, '')) {
      throw new InventoryError(
        'INVALID_ARGUMENT',
        `${options.statePath} belongs to the server ${state.serverUrl}, not ${options.serverUrl}: point SHUTTERSENSE_AGENT_STATE at another file`,
      )
    }
    return state
  }
  if (!options.registrationToken) {
    throw new InventoryError(
      'INVALID_ARGUMENT',
      `no agent state at ${options.statePath}: set SHUTTERSENSE_AGENT_REGISTRATION_TOKEN (the server's) for the first start`,
    )
  }
  const api = createAgentApi({ serverUrl: options.serverUrl, token: options.registrationToken, retry: options.retry, fetch: options.fetch })
  const registered = await api.call<{ agent: { id: string; name: string }; token: string }>({
    method: 'POST',
    path: '/api/agents/register',
    json: { name: options.name },
  })
  if (!registered) throw new InventoryError('STORE_ERROR', 'the server answered the registration without a body')
  const state: AgentState = { serverUrl: api.serverUrl, agentId: registered.agent.id, name: registered.agent.name, token: registered.token }
  mkdirSync(path.dirname(options.statePath), { recursive: true })
  const temporary = `${options.statePath}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  renameSync(temporary, options.statePath)
  return state
}
