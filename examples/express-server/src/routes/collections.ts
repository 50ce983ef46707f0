import { suggestUniqueCollectionNames } from '@shuttersense/inventory-core'
import { actorName } from '../auth.js'
import type { RouteContext } from '../context.js'
import { HttpError } from '../errors.js'
import {
  CollectionListSchema,
  CollectionParamsSchema,
  CollectionSchema,
  CollectionsQuerySchema,
  DeltaListSchema,
  DeltaSchema,
  DeltasQuerySchema,
  ErrorSchema,
  FilePageSchema,
  FilesQuerySchema,
  FromInventoryBodySchema,
  FromInventoryResponseSchema,
  JobResponseSchema,
  LatestDeltaQuerySchema,
  UpdateCollectionBodySchema,
} from '../schemas.js'
import { collectionView, deltaView, jobView } from '../views.js'

const TAG = 'collections'
const notFound = { description: 'No such collection', schema: ErrorSchema }

export function collectionRoutes({ api, store, now }: RouteContext): void {
  api.route(
    {
      method: 'post',
      path: '/api/collections/from-inventory',
      operationId: 'createCollectionsFromInventory',
      summary: 'Map folders to new collections (suggested, unique names), all or none, and by default import now',
      tag: TAG,
      auth: 'user',
      body: FromInventoryBodySchema,
      responses: {
        201: { description: 'The collections and the import job (null with importNow: false)', schema: FromInventoryResponseSchema },
        404: { description: 'No such connector, or a folder not in its last import', schema: ErrorSchema },
        409: { description: 'A folder already has a collection, or a name is taken', schema: ErrorSchema },
      },
    },
    async ({ body, actor }) => {
      const connectorId = body.connectorGuid
      await store.getConnector(connectorId)
      const paths = body.folders.map((f) => f.path)
      const duplicate = paths.find((path, i) => paths.indexOf(path) !== i)
      if (duplicate !== undefined) {
        throw new HttpError(400, 'INVALID_ARGUMENT', `folder ${duplicate} appears twice`, [
          { path: `body.folders.${paths.lastIndexOf(duplicate)}.path`, message: 'appears twice', code: 'duplicate' },
        ])
      }
      const existing = await store.listCollections(connectorId)
      const mapped = new Map(existing.map((c) => [c.folderPath, c]))
      for (const path of paths) {
        const collection = mapped.get(path)
        if (collection) throw new HttpError(409, 'CONFLICT', `folder ${path} is already collection ${collection.id} (${collection.name})`)
      }
      for (const path of paths) {
        const page = await store.listFolders(connectorId, { prefix: path, limit: 1 })
        if (page.folders[0]?.path !== path) throw new HttpError(404, 'NOT_FOUND', `folder ${path} is not in connector ${connectorId}'s last import`)
      }
      // Names are unique within a connector (case-insensitive): given names must be free, suggested ones are made so.
      const taken = new Set(existing.map((c) => c.name.toLocaleLowerCase('en')))
      for (const folder of body.folders) {
        if (folder.name === undefined) continue
        const key = folder.name.toLocaleLowerCase('en')
        if (taken.has(key)) throw new HttpError(409, 'CONFLICT', `a collection of this connector is already named "${folder.name}"`)
        taken.add(key)
      }
      const unnamed = body.folders.filter((f) => f.name === undefined).map((f) => f.path)
      const suggested = suggestUniqueCollectionNames(unnamed, taken)
      let next = 0
      const created = await store.createCollections(
        connectorId,
        body.folders.map((f) => ({ folderPath: f.path, name: f.name ?? suggested[next++]! })),
      )
      await store.appendAudit({
        connectorId,
        actor: actorName(actor),
        action: 'collections.created',
        subjectId: null,
        detail: { collections: created.length },
      })
      let job = null
      if (body.importNow) {
        if ((await store.getConnector(connectorId)).location !== null) job = (await store.requestImportNow(connectorId, { actor: actorName(actor), now: now() })).job
      }
      return { collections: created.map(collectionView), job: job ? jobView(job) : null }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/collections',
      operationId: 'listCollections',
      summary: 'Collections (of one connector with `connector`), by folder path',
      tag: TAG,
      auth: 'user',
      query: CollectionsQuerySchema,
      responses: { 200: { description: 'Collections', schema: CollectionListSchema }, 404: { description: 'No such connector', schema: ErrorSchema } },
    },
    async ({ query }) => {
      if (query.connector !== undefined) await store.getConnector(query.connector)
      return { collections: (await store.listCollections(query.connector)).map(collectionView) }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/collections/:collectionGuid',
      operationId: 'getCollection',
      summary: 'One collection',
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      responses: { 200: { description: 'The collection', schema: CollectionSchema }, 404: notFound },
    },
    async ({ params }) => collectionView(await store.getCollection(params.collectionGuid)),
  )

  api.route(
    {
      method: 'patch',
      path: '/api/collections/:collectionGuid',
      operationId: 'renameCollection',
      summary: 'Rename a collection',
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      body: UpdateCollectionBodySchema,
      responses: {
        200: { description: 'The collection', schema: CollectionSchema },
        404: notFound,
        409: { description: 'The name is taken in this connector', schema: ErrorSchema },
      },
    },
    async ({ params, body, actor }) => {
      const collection = await store.getCollection(params.collectionGuid)
      const clash = (await store.listCollections(collection.connectorId)).find(
        (c) => c.id !== collection.id && c.name.toLocaleLowerCase('en') === body.name.toLocaleLowerCase('en'),
      )
      if (clash) throw new HttpError(409, 'CONFLICT', `collection ${clash.id} of this connector is already named "${clash.name}"`)
      const updated = await store.updateCollection(collection.id, { name: body.name })
      await store.appendAudit({ connectorId: collection.connectorId, actor: actorName(actor), action: 'collection.renamed', subjectId: collection.id, detail: { name: body.name } })
      return collectionView(updated)
    },
  )

  api.route(
    {
      method: 'delete',
      path: '/api/collections/:collectionGuid',
      operationId: 'deleteCollection',
      summary: 'Delete a collection with its FileInfo and deltas',
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      responses: { 204: { description: 'Deleted' }, 404: notFound },
    },
    async ({ params, actor, res }) => {
      const collection = await store.getCollection(params.collectionGuid)
      await store.deleteCollection(collection.id)
      await store.appendAudit({ connectorId: collection.connectorId, actor: actorName(actor), action: 'collection.deleted', subjectId: collection.id, detail: null })
      res.status(204).end()
      return undefined
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/collections/:collectionGuid/files',
      operationId: 'listCollectionFiles',
      summary: "The collection's cached FileInfo in key order, paged, with its source and age",
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      query: FilesQuerySchema,
      responses: { 200: { description: 'One page of files', schema: FilePageSchema }, 404: notFound },
    },
    async ({ params, query }) => {
      const collection = await store.getCollection(params.collectionGuid)
      const page = await store.listFileInfo(collection.id, { prefix: query.prefix, cursor: query.cursor, limit: query.limit })
      return { ...page, fileInfoSource: collection.fileInfoSource, fileInfoUpdatedAt: collection.fileInfoUpdatedAt, fileCount: collection.fileCount }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/collections/:collectionGuid/refresh',
      operationId: 'refreshCollection',
      summary: '"Refresh from S3": queue a job that lists the folder live and stores FileInfo (source api) and a delta',
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      responses: {
        202: { description: 'The queued refresh job (it waits while its connector imports)', schema: JobResponseSchema },
        404: notFound,
      },
    },
    async ({ params, actor }) => {
      const collection = await store.getCollection(params.collectionGuid)
      const job = await store.enqueueJob(collection.connectorId, {
        kind: 'refresh',
        payload: { collectionId: collection.id },
        actor: actorName(actor),
        now: now(),
      })
      return { job: jobView(job) }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/collections/:collectionGuid/deltas',
      operationId: 'listCollectionDeltas',
      summary: "The collection's deltas, newest first",
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      query: DeltasQuerySchema,
      responses: { 200: { description: 'Deltas', schema: DeltaListSchema }, 404: notFound },
    },
    async ({ params, query }) => {
      const collection = await store.getCollection(params.collectionGuid)
      const page = await store.listDeltas(collection.id, { limit: query.limit, cursor: query.cursor })
      return { deltas: page.deltas.map((d) => deltaView(d)), nextCursor: page.nextCursor }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/collections/:collectionGuid/deltas/latest',
      operationId: 'latestCollectionDelta',
      summary: "The collection's newest delta: counts and the changed files (one list with `type`)",
      tag: TAG,
      auth: 'user',
      params: CollectionParamsSchema,
      query: LatestDeltaQuerySchema,
      responses: { 200: { description: 'The delta', schema: DeltaSchema }, 404: { description: 'No such collection, or no delta yet', schema: ErrorSchema } },
    },
    async ({ params, query }) => {
      const collection = await store.getCollection(params.collectionGuid)
      const latest = await store.getLatestDelta(collection.id)
      if (!latest) throw new HttpError(404, 'NOT_FOUND', `collection ${collection.id} has no delta yet (it has not been imported)`)
      return deltaView(latest, query.type)
    },
  )
}
