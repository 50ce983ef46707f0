import {
  isInventoryError,
  nextRunAt,
  suggestCollectionName,
  type InventoryLocation,
  type InventoryStore,
} from '@shuttersense/inventory-core'
import type { Connector } from '@shuttersense/inventory-core/types'
import { folderGuid } from '@shuttersense/inventory-core/node'
import { actorName } from '../auth.js'
import type { RouteContext } from '../context.js'
import { HttpError } from '../errors.js'
import {
  AuditListSchema,
  ConnectorListSchema,
  ConnectorParamsSchema,
  ConnectorSchema,
  CreateConnectorBodySchema,
  ErrorSchema,
  FolderPageSchema,
  FoldersQuerySchema,
  ImportInProgressSchema,
  ImportListSchema,
  InventoryConfigBodySchema,
  InventoryStatusSchema,
  JobResponseSchema,
  LimitQuerySchema,
  UpdateConnectorBodySchema,
} from '../schemas.js'
import type { ServerStore } from '../server-store/index.js'
import { auditView, connectorView, importView, jobView } from '../views.js'


const TAG = 'connectors'
const notFound = { description: 'No such connector', schema: ErrorSchema }

export async function connectorViews(store: InventoryStore, serverStore: ServerStore, connectors: Connector[]) {
  const ids = connectors.map((c) => c.id)
  const withCredentials = await serverStore.connectorsWithCredentials(ids)
  return connectors.map((c) => connectorView(c, withCredentials.has(c.id)))
}

type ImportSessions = Awaited<ReturnType<InventoryStore['listImportSessions']>>

/** Folders of the last completed import (sessions newest first). */
const folderCountOf = (sessions: ImportSessions): number => sessions.find((s) => s.status === 'completed')?.summary?.folderCount ?? 0

/**
 * The connectors as the list shows them: each with its state, folder count and last import, so a UI
 * makes one call for the list rather than one status call per connector.
 */
async function connectorListItems(store: InventoryStore, serverStore: ServerStore, connectors: Connector[], at: Date) {
  const views = await connectorViews(store, serverStore, connectors)
  return Promise.all(
    connectors.map(async (connector, i) => {
      const [sessions, jobs] = await Promise.all([store.listImportSessions(connector.id, { limit: 20 }), store.listJobs(connector.id, { limit: 20 })])
      const imports = jobs.filter((job) => job.kind === 'import')
      const last = sessions[0]
      const state = imports.some((job) => job.status === 'running')
        ? 'running'
        : imports.some((job) => job.status === 'queued' && Date.parse(job.scheduledAt) <= at.getTime())
          ? 'queued'
          : connector.location === null
            ? 'not_configured'
            : last === undefined
              ? 'never_imported'
              : last.status === 'completed'
                ? 'imported'
                : last.status === 'failed'
                  ? 'failed'
                  : 'running'
      return { ...views[i]!, state, folderCount: folderCountOf(sessions), lastImportAt: last ? (last.finishedAt ?? last.startedAt) : null } as const
    }),
  )
}

/** The connector; 409 NOT_CONFIGURED when it has no inventory configuration (for imports and tests). */
async function configuredConnector(store: InventoryStore, id: string) {
  const connector = await store.getConnector(id)
  if (connector.location === null) {
    throw new HttpError(409, 'NOT_CONFIGURED', `connector ${id} has no inventory configuration yet: PUT /api/connectors/${id}/inventory/config first`)
  }
  return connector
}

/** Child depth of a folder listing: `` -> 1, `2020/` -> 2. */
const childDepth = (parent: string): number => (parent === '' ? 1 : parent.split('/').length)

export function connectorRoutes({ api, store, serverStore, now }: RouteContext): void {
  const one = async (id: string) => (await connectorViews(store, serverStore, [await store.getConnector(id)]))[0]!

  api.route(
    {
      method: 'post',
      path: '/api/connectors',
      operationId: 'createConnector',
      summary: 'Create a connector (credentials optional, write-only)',
      tag: TAG,
      auth: 'user',
      body: CreateConnectorBodySchema,
      responses: { 201: { description: 'The connector', schema: ConnectorSchema } },
    },
    async ({ body, actor }) => {
      const connector = await store.createConnector({ name: body.name })
      if (body.credentials) await serverStore.setConnectorCredentials(connector.id, body.credentials, { now: now() })
      await store.appendAudit({ connectorId: connector.id, actor: actorName(actor), action: 'connector.created', subjectId: connector.id, detail: { name: connector.name } })
      return one(connector.id)
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/connectors',
      operationId: 'listConnectors',
      summary: 'List connectors, each with its state, folder count and last import time',
      tag: TAG,
      auth: 'user',
      responses: { 200: { description: 'Connectors, oldest first', schema: ConnectorListSchema } },
    },
    async () => ({ connectors: await connectorListItems(store, serverStore, await store.listConnectors(), now()) }),
  )

  api.route(
    {
      method: 'get',
      path: '/api/connectors/:connectorGuid',
      operationId: 'getConnector',
      summary: 'One connector',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      responses: { 200: { description: 'The connector', schema: ConnectorSchema }, 404: notFound },
    },
    ({ params }) => one(params.connectorGuid),
  )

  api.route(
    {
      method: 'patch',
      path: '/api/connectors/:connectorGuid',
      operationId: 'updateConnector',
      summary: 'Rename a connector, or replace (null: remove) its credentials',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      body: UpdateConnectorBodySchema,
      responses: { 200: { description: 'The connector', schema: ConnectorSchema }, 404: notFound },
    },
    async ({ params, body, actor }) => {
      const id = params.connectorGuid
      await store.getConnector(id)
      if (body.name !== undefined) await store.updateConnector(id, { name: body.name })
      if (body.credentials !== undefined) await serverStore.setConnectorCredentials(id, body.credentials, { now: now() })
      await store.appendAudit({
        connectorId: id,
        actor: actorName(actor),
        action: 'connector.updated',
        subjectId: id,
        detail: { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.credentials !== undefined ? { credentials: body.credentials ? 'replaced' : 'removed' } : {}) },
      })
      return one(id)
    },
  )

  api.route(
    {
      method: 'delete',
      path: '/api/connectors/:connectorGuid',
      operationId: 'deleteConnector',
      summary: 'Delete a connector with its folders, collections, FileInfo, deltas and jobs (the audit log stays)',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      responses: { 204: { description: 'Deleted' }, 404: notFound },
    },
    async ({ params, actor, res }) => {
      const id = params.connectorGuid
      await store.getConnector(id)
      await store.deleteConnector(id)
      await serverStore.deleteConnectorData(id)
      await store.appendAudit({ connectorId: id, actor: actorName(actor), action: 'connector.deleted', subjectId: id, detail: null })
      res.status(204).end()
      return undefined
    },
  )

  api.route(
    {
      method: 'put',
      path: '/api/connectors/:connectorGuid/inventory/config',
      operationId: 'setInventoryConfig',
      summary: 'Set where the inventory is, its format, the import schedule and the delta list size',
      description:
        'Enabling a schedule (daily, weekly, inventory) queues the first scheduled import at now + its interval (inventory: daily until reports show their cadence); ' +
        'changing it re-times the queued scheduled import; switching to manual cancels queued scheduled imports. A queued or running import is left as it is and continues the chain.',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      body: InventoryConfigBodySchema,
      responses: { 200: { description: 'The connector', schema: ConnectorSchema }, 404: notFound },
    },
    async ({ params, body, actor }) => {
      const id = params.connectorGuid
      const at = now()
      const before = await store.getConnector(id)
      const wasConfigured = before.location !== null
      const oldSchedule = wasConfigured ? before.schedule : 'manual'
      const location: InventoryLocation = {
        destinationBucket: body.destinationBucket,
        destinationPrefix: body.destinationPrefix,
        sourceBucket: body.sourceBucket,
        configName: body.configName,
      }
      // Switching to manual cancels the queued scheduled jobs in the store's own transaction (FR-066).
      await store.updateConnector(id, { location, schedule: body.schedule, format: body.format, deltaListLimit: body.deltaListLimit })
      if (body.schedule !== 'manual' && body.schedule !== oldSchedule) {
        // FR-062: the first scheduled job runs one interval from now; a changed interval re-times it.
        await store.cancelQueuedJobs(id, { trigger: 'scheduled', actor: actorName(actor), now: at })
        try {
          await store.enqueueImport(id, { trigger: 'scheduled', scheduledAt: nextRunAt(at, body.schedule)!, actor: actorName(actor), now: at })
        } catch (error) {
          // An import is queued or running: when it ends it queues the next run by the new schedule.
          if (!isInventoryError(error, 'IMPORT_IN_PROGRESS')) throw error
        }
      }
      await store.appendAudit({
        connectorId: id,
        actor: actorName(actor),
        action: 'connector.configured',
        subjectId: id,
        detail: { schedule: body.schedule, format: body.format, deltaListLimit: body.deltaListLimit },
      })
      return one(id)
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/connectors/:connectorGuid/inventory/test',
      operationId: 'testInventoryAccess',
      summary: 'Queue an access test: an agent checks the inventory location with the credentials',
      description: "The job's `result` (and …/inventory/status `lastAccessTest`) holds the newest report found, or what is wrong (e.g. AccessDenied on which key).",
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      responses: {
        202: { description: 'The queued test job', schema: JobResponseSchema },
        404: notFound,
        409: { description: 'No inventory configuration yet', schema: ErrorSchema },
      },
    },
    async ({ params, actor }) => {
      const connector = await configuredConnector(store, params.connectorGuid)
      const job = await store.enqueueJob(connector.id, { kind: 'test', actor: actorName(actor), now: now() })
      return { job: jobView(job) }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/connectors/:connectorGuid/inventory/import',
      operationId: 'importNow',
      summary: '"Import now": queue an import that runs at once, whatever the schedule',
      description: 'A queued import is moved to now. An import already running answers 409 IMPORT_IN_PROGRESS with its job.',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      responses: {
        202: { description: 'The import job', schema: JobResponseSchema },
        404: notFound,
        409: { description: 'An import is running (IMPORT_IN_PROGRESS, with its job), or no inventory configuration yet', schema: ImportInProgressSchema },
      },
    },
    async ({ params, actor }) => {
      const connector = await configuredConnector(store, params.connectorGuid)
      const { job, outcome } = await store.requestImportNow(connector.id, { actor: actorName(actor), now: now() })
      if (outcome === 'already-running') {
        throw new HttpError(409, 'IMPORT_IN_PROGRESS', `an import of connector ${connector.id} is running (job ${job.id})`, undefined, { job: jobView(job) })
      }
      return { job: jobView(job) }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/connectors/:connectorGuid/inventory/status',
      operationId: 'inventoryStatus',
      summary: 'Current import with its progress, last import, schedule, folder counts and the last access test',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      responses: { 200: { description: 'The status', schema: InventoryStatusSchema }, 404: notFound },
    },
    async ({ params }) => {
      const id = params.connectorGuid
      const connector = await store.getConnector(id)
      const [jobs, sessions, collections] = await Promise.all([
        store.listJobs(id, { limit: 200 }),
        store.listImportSessions(id, { limit: 20 }),
        store.listCollections(id),
      ])
      const configured = connector.location !== null
      const views = jobs.map(jobView)
      const imports = views.filter((job) => job.kind === 'import')
      const lastScheduled = imports.find((job) => job.trigger === 'scheduled' && job.startedAt !== null)
      const nextScheduled = imports.find((job) => job.trigger === 'scheduled' && job.status === 'queued')
      return {
        connectorGuid: id,
        configured,
        schedule: configured ? connector.schedule : null,
        currentJob: imports.find((job) => job.status === 'running' || job.status === 'queued') ?? null,
        lastImport: sessions[0] ? importView(sessions[0]) : null,
        lastScheduledImportAt: lastScheduled?.finishedAt ?? lastScheduled?.startedAt ?? null,
        nextScheduledImportAt: nextScheduled?.scheduledAt ?? null,
        folderCount: folderCountOf(sessions),
        mappedFolderCount: collections.length,
        lastAccessTest: views.find((job) => job.kind === 'test') ?? null,
      }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/connectors/:connectorGuid/inventory/folders',
      operationId: 'listFolders',
      summary: 'Folders of the last import: one level of the tree (`parent`), or a search over paths (`q`), paged',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      query: FoldersQuerySchema,
      responses: { 200: { description: 'One page of folders in path order', schema: FolderPageSchema }, 404: notFound },
    },
    async ({ params, query }) => {
      const id = params.connectorGuid
      await store.getConnector(id)
      const parent = query.parent ?? ''
      if (parent !== '' && !parent.endsWith('/')) {
        throw new HttpError(400, 'INVALID_ARGUMENT', 'parent must be a folder path ending in "/" (or empty for the top level)', [
          { path: 'query.parent', message: 'must end in "/"', code: 'invalid_format' },
        ])
      }
      const mapped = new Map((await store.listCollections(id)).map((c) => [c.folderPath, c.id]))
      let folders: Awaited<ReturnType<InventoryStore['listFolders']>>['folders']
      let nextCursor: string | null
      if (query.q !== undefined) {
        // A substring search scans paths in order from the cursor until a page of matches is found.
        const needle = query.q.toLocaleLowerCase('en')
        folders = []
        let cursor = query.cursor
        nextCursor = null
        for (;;) {
          const page = await store.listFolders(id, { prefix: parent || undefined, cursor, limit: 5000 })
          for (const folder of page.folders) {
            if (!folder.path.toLocaleLowerCase('en').includes(needle)) continue
            folders.push(folder)
            if (folders.length === query.limit) break
          }
          if (folders.length === query.limit) {
            nextCursor = folders.at(-1)!.path
            break
          }
          if (page.nextCursor === null) break
          cursor = page.nextCursor
        }
      } else {
        const page = await store.listFolders(id, { prefix: parent || undefined, depth: childDepth(parent), cursor: query.cursor, limit: query.limit })
        folders = page.folders
        nextCursor = page.nextCursor
      }
      return {
        folders: folders.map((folder) => ({
          guid: folderGuid(id, folder.path),
          ...folder,
          // A folder has a child folder exactly when its subtree holds objects beside its own.
          hasChildren: (folder as { hasChildren?: boolean }).hasChildren ?? folder.objectCount > folder.directObjectCount,
          collectionGuid: mapped.get(folder.path) ?? null,
          suggestedName: suggestCollectionName(folder.path),
        })),
        nextCursor,
      }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/connectors/:connectorGuid/inventory/imports',
      operationId: 'listImports',
      summary: 'Import history: sessions with their summaries, newest first',
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      query: LimitQuerySchema,
      responses: { 200: { description: 'Imports', schema: ImportListSchema }, 404: notFound },
    },
    async ({ params, query }) => {
      await store.getConnector(params.connectorGuid)
      return { imports: (await store.listImportSessions(params.connectorGuid, { limit: query.limit })).map(importView) }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/connectors/:connectorGuid/audit',
      operationId: 'connectorAudit',
      summary: "The connector's audit log, newest first: who triggered which import, when, and each phase's counts",
      tag: TAG,
      auth: 'user',
      params: ConnectorParamsSchema,
      query: LimitQuerySchema,
      responses: { 200: { description: 'Audit entries', schema: AuditListSchema }, 404: notFound },
    },
    async ({ params, query }) => {
      await store.getConnector(params.connectorGuid)
      return { entries: (await store.listAudit({ connectorId: params.connectorGuid, limit: query.limit })).map(auditView) }
    },
  )
}
