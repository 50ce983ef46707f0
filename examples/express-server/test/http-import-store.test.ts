import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe } from 'vitest'
import type { FileInfoWrite, ImportStore, InventoryStore } from '@shuttersense/inventory-core/types'
import { describeImportStoreConformance, inventoryStoreFixtures, type ImportStoreFixtures } from '@shuttersense/inventory-core/testing'
import { createAgentApi } from '../src/agent/agent-api.js'
import { createHttpImportStore, type HttpImportStore } from '../src/agent/http-store.js'
import { createTestServer, type Backend, type TestServer } from './harness.js'
import { postgresUnavailable } from './postgres.js'

// The import part's conformance suite against the agent's HTTP client: a real server (Express on a real
// port, a real store behind it) and the client the agent process uses. The client speaks for one agent
// and one held job; the suite's store is a thin switchboard that hands each call to the client of the
// agent and connector it is about, and sets the server's clock to the `now` a call carries (agent and
// server share the wall clock; the suite's times are fixed).

const directory = mkdtempSync(path.join(tmpdir(), 'http-import-store-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
let counter = 0

/** A long lease for the job that gives an agent a connector to work on. */
const HOLD_MS = 24 * 3600_000

interface Agent {
  id: string
  token: string
}

/** What the suite's store knows besides the clients: the server, its clock, the agents, who holds what. */
interface Switchboard {
  server: TestServer
  http: Server
  clock: { now: Date | null }
  agents: [Agent, Agent]
  /** The HTTP client of each connector's held job (agent A's). */
  byConnector: Map<string, HttpImportStore>
  collectionConnector: Map<string, string>
  sessionConnector: Map<string, string>
  /** A client per agent for calls on a job named by id (heartbeat, complete, fail, cancel). */
  jobCalls: Map<string, HttpImportStore>
  url: string
}

const boards = new WeakMap<ImportStore, Switchboard>()
const boardOf = (store: ImportStore): Switchboard => boards.get(store)!

function client(board: Switchboard, token: string, jobId: string): HttpImportStore {
  const api = createAgentApi({ serverUrl: board.url, token, retry: { budgetMs: 1000 } })
  return createHttpImportStore({ api, jobId, scratchDir: path.join(directory, `scratch-${++counter}`) })
}

/** The import part, each call handed to the HTTP client it is about. */
function switchboardStore(board: Switchboard): ImportStore {
  const any = (): HttpImportStore => board.byConnector.values().next().value ?? client(board, board.agents[0].token, 'job_none')
  const ofConnector = (id: string | undefined): HttpImportStore => (id !== undefined && board.byConnector.get(id)) || any()
  const ofCollection = (id: string): HttpImportStore => ofConnector(board.collectionConnector.get(id))
  const onJob = <O extends { agentId: string; now?: Date | undefined }>(options: O): HttpImportStore => {
    board.clock.now = options.now ?? null
    return board.jobCalls.get(options.agentId) ?? any()
  }
  return {
    getConnector: (id, options) => ofConnector(id).getConnector(id, options),
    listCollections: (id, options) => ofConnector(id).listCollections(id, options),
    replaceFolders: (id, folders, options) => ofConnector(id).replaceFolders(id, folders, options),
    replaceFileInfo: (id, files, options) => ofCollection(id).replaceFileInfo(id, files, options),
    applyFileInfoChanges: (id, changes, options) => ofCollection(id).applyFileInfoChanges(id, changes, options),
    async writeFileInfoBatch(writes: readonly FileInfoWrite[], options) {
      await ofCollection(writes[0]!.collectionId).writeFileInfoBatch!(writes, options)
    },
    readFileInfoBatch: (ids, options) => ofCollection(ids[0]!).readFileInfoBatch!(ids, options),
    readFileInfo: (id, options) => ofCollection(id).readFileInfo(id, options),
    async createImportSession(input, options) {
      const session = await ofConnector(input.connectorId).createImportSession(input, options)
      board.sessionConnector.set(session.id, session.connectorId)
      return session
    },
    updateImportSession: (id, patch, options) => ofConnector(board.sessionConnector.get(id)).updateImportSession(id, patch, options),
    listImportSessions: (id, options) => ofConnector(id).listImportSessions(id, options),
    heartbeatJob: (id, options) => onJob(options).heartbeatJob(id, options),
    acknowledgeCancel: (id, options) => onJob(options).acknowledgeCancel(id, options),
    completeJob: (id, options) => onJob(options).completeJob(id, options),
    failJob: (id, options) => onJob(options).failJob(id, options),
  }
}

const full = (store: ImportStore): InventoryStore => boardOf(store).server.store

/** The catalog and queue behind the server: connectors, collections and jobs as a user and the queue make them. */
const fixtures: ImportStoreFixtures<ImportStore> = {
  async createConnector(store, input) {
    const board = boardOf(store)
    const connector = await full(store).createConnector(input)
    // The agent works on a connector only through a job it holds: a `test` job, claimed for the connector.
    await full(store).enqueueJob(connector.id, { kind: 'test' })
    const held = await full(store).claimJob({ agentId: board.agents[0].id, leaseMs: HOLD_MS, connectorId: connector.id, kinds: ['test'] })
    if (!held) throw new Error(`no test job of ${connector.id} to hold`)
    board.byConnector.set(connector.id, client(board, board.agents[0].token, held.id))
    return connector
  },
  async createCollections(store, connectorId, collections) {
    const created = await full(store).createCollections(connectorId, collections)
    for (const collection of created) boardOf(store).collectionConnector.set(collection.id, connectorId)
    return created
  },
  startJob: (store, connectorId, options) => inventoryStoreFixtures.startJob(full(store), connectorId, options),
  requestCancel: (store, jobId, now) => inventoryStoreFixtures.requestCancel(full(store), jobId, now),
  readFolders: (store, connectorId) => inventoryStoreFixtures.readFolders(full(store), connectorId),
  latestDelta: (store, collectionId) => inventoryStoreFixtures.latestDelta(full(store), collectionId),
  agentIds: (store) => [boardOf(store).agents[0].id, boardOf(store).agents[1].id],
}

async function createStore(backend: Backend): Promise<ImportStore> {
  const clock: Switchboard['clock'] = { now: null }
  const server = await createTestServer({
    backend,
    filename: path.join(directory, `server-${++counter}.sqlite`),
    now: () => clock.now ?? new Date(),
  })
  const http = server.app.listen(0, '127.0.0.1')
  await new Promise((resolve) => http.once('listening', resolve))
  const register = async (name: string): Promise<Agent> => {
    const { agent, token } = await server.serverStore.registerAgent(name)
    return { id: agent.id, token }
  }
  const board: Switchboard = {
    server,
    http,
    clock,
    agents: [await register('agent-a'), await register('agent-b')],
    byConnector: new Map(),
    collectionConnector: new Map(),
    sessionConnector: new Map(),
    jobCalls: new Map(),
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
  }
  for (const agent of board.agents) board.jobCalls.set(agent.id, client(board, agent.token, 'job_none'))
  const store = switchboardStore(board)
  boards.set(store, board)
  return store
}

async function destroyStore(store: ImportStore): Promise<void> {
  const { http, server } = boardOf(store)
  http.closeAllConnections()
  await new Promise((resolve) => http.close(resolve))
  await server.close()
}

describeImportStoreConformance('HTTP client of the agent, SQLite server', {
  createStore: () => createStore('sqlite'),
  destroyStore,
  fixtures,
})

const postgres = await postgresUnavailable()
describe.skipIf(postgres !== null)('Postgres', () => {
  describeImportStoreConformance('HTTP client of the agent, Postgres server', {
    createStore: () => createStore('postgres'),
    destroyStore,
    fixtures,
  })
})
