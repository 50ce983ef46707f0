import { once } from 'node:events'
import type { Response } from 'express'
import type { FileInfo, FolderSummary } from '@shuttersense/inventory-core'
import type { Collection, FileInfoChanges, ImportJob, JobKind } from '@shuttersense/inventory-core/types'
import {
  AcknowledgeCancelBodySchema,
  AgentConnectorSchema,
  AgentCollectionSchema,
  AgentRegisterBodySchema,
  AgentRegisteredSchema,
  ClaimBodySchema,
  ClaimedJobSchema,
  CollectionsResponseSchema,
  CompleteBodySchema,
  CompletedSchema,
  FailBodySchema,
  FileCountSchema,
  FileInfoBatchLineSchema,
  FileInfoBatchResultSchema,
  FileInfoReadBodySchema,
  FileInfoReadLineSchema,
  FileInfoReadQuerySchema,
  FileInfoChangeLineSchema,
  FileInfoLineSchema,
  FileInfoUploadHeaderSchema,
  FolderCountSchema,
  FolderSummarySchema,
  HeartbeatBodySchema,
  ImportSessionPatchBodySchema,
  ImportSessionSchema,
  ImportSessionsQuerySchema,
  ImportSessionsResponseSchema,
  JobCollectionParamsSchema,
  JobParamsSchema,
  JobResponseSchema,
  JobSessionParamsSchema,
  NewImportSessionBodySchema,
  quickFileInfo,
} from '../agent-schemas.js'
import type { Actor } from '../auth.js'
import type { RouteContext } from '../context.js'
import { HttpError } from '../errors.js'
import { fileInfoTuple } from '../file-info-line.js'
import { NDJSON_CONTENT_TYPE } from '../ndjson.js'
import { ErrorSchema } from '../schemas.js'
import { type FileInfoBatchPart, readFileInfoBatch } from './file-info-batch.js'
import { stageNdjsonUpload } from './ndjson-upload.js'

const TAG = 'agents'
/** How often a waiting claim asks the store again (several servers may share one database). */
const CLAIM_POLL_MS = 200

const errors = {
  401: { description: 'No valid agent token', schema: ErrorSchema },
  403: { description: 'Not an agent token', schema: ErrorSchema },
}
const jobErrors = {
  ...errors,
  404: { description: 'No such job (or collection, or import session of its connector)', schema: ErrorSchema },
  409: { description: 'CONFLICT: this agent does not hold the job (never claimed, lease lost, or finished)', schema: ErrorSchema },
}
const uploadErrors = {
  ...jobErrors,
  400: { description: 'INVALID_NDJSON: a line is not JSON or not valid; nothing was stored', schema: ErrorSchema },
  415: { description: `The body is not ${NDJSON_CONTENT_TYPE}`, schema: ErrorSchema },
}

const date = (value: string | null | undefined): Date | null => (value ? new Date(value) : null)

function agentOf(actor: Actor | null): Actor {
  if (!actor || actor.kind !== 'agent') throw new HttpError(403, 'FORBIDDEN', 'an agent token is needed')
  return actor
}

function requireNdjson(contentType: string | undefined): void {
  if (!contentType || !contentType.toLowerCase().startsWith(NDJSON_CONTENT_TYPE)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `send the body as ${NDJSON_CONTENT_TYPE}, one JSON value per line`)
  }
}

function* flattenSync<T>(batches: Iterable<T[]>): Generator<T> {
  for (const batch of batches) yield* batch
}

/** FileInfo lines in the form asked for; any other value (a collection marker) as it is. */
const fileInfoLines = (format: 'object' | 'tuple') => (format === 'tuple' ? (value: unknown) => ('key' in (value as object) ? fileInfoTuple(value as FileInfo) : value) : undefined)

/** Writes values as NDJSON with backpressure; a failure after the first byte cuts the stream, so the client sees it. */
async function streamNdjson(res: Response, batches: AsyncIterable<readonly unknown[]>, encode?: (value: unknown) => unknown): Promise<void> {
  res.status(200).type(NDJSON_CONTENT_TYPE)
  try {
    for await (const batch of batches) {
      let text = ''
      for (const value of batch) text += `${JSON.stringify(encode ? encode(value) : value)}\n`
      if (!res.write(text)) await once(res, 'drain')
    }
    res.end()
  } catch (error) {
    if (!res.headersSent) throw error
    res.destroy(error as Error)
  }
}

/**
 * The agent API: agents register, claim jobs (long-poll), keep them with heartbeats (which answer with
 * cancel requests), stream folders and FileInfo up and down as NDJSON, and finish jobs. Every call on a
 * job is refused with `CONFLICT` unless the calling agent holds it.
 */
export function agentRoutes({ api, store, serverStore, now, logger }: RouteContext): void {
  /** The job, when `agent` holds it. */
  async function heldJob(jobGuid: string, agent: Actor): Promise<ImportJob> {
    const job = await store.getJob(jobGuid)
    if (job.status !== 'running' || job.lockedBy !== agent.id) {
      throw new HttpError(409, 'CONFLICT', `agent ${agent.id} does not hold job ${job.id} (it is ${job.status}${job.lockedBy ? `, held by ${job.lockedBy}` : ''})`)
    }
    return job
  }

  /**
   * An import lists the connector's collections when it starts, so collections mapped while it ran got no
   * FileInfo: queue "Import now" for them (it imports only the collections the report has not filled yet).
   */
  async function importCollectionsCreatedDuring(job: ImportJob): Promise<void> {
    if (job.kind !== 'import' || job.startedAt === null) return
    const startedAt = Date.parse(job.startedAt)
    const missed = (await store.listCollections(job.connectorId)).filter((c) => c.fileInfoSource === null && Date.parse(c.createdAt) > startedAt)
    if (missed.length === 0) return
    await store.requestImportNow(job.connectorId, { actor: 'system', now: now() })
    logger.info({ connectorId: job.connectorId, collections: missed.length }, 'import queued for collections mapped during the import')
  }

  /** A collection of the held job's connector. */
  async function jobCollection(job: ImportJob, collectionGuid: string): Promise<Collection> {
    const collection = await store.getCollection(collectionGuid)
    if (collection.connectorId !== job.connectorId) throw new HttpError(404, 'NOT_FOUND', `collection ${collectionGuid} is not one of job ${job.id}'s connector`)
    return collection
  }

  async function jobSession(job: ImportJob, importGuid: string) {
    const session = await store.getImportSession(importGuid)
    if (session.connectorId !== job.connectorId) throw new HttpError(404, 'NOT_FOUND', `import session ${importGuid} is not one of job ${job.id}'s connector`)
    return session
  }

  api.route(
    {
      method: 'post',
      path: '/api/agents/register',
      operationId: 'registerAgent',
      summary: 'Exchange the registration token for an agent token',
      description: 'Bearer: SHUTTERSENSE_AGENT_REGISTRATION_TOKEN. The agent keeps the returned token (its state file) and uses it from then on.',
      tag: TAG,
      auth: 'registration',
      body: AgentRegisterBodySchema,
      responses: {
        201: { description: 'Registered', schema: AgentRegisteredSchema },
        400: { description: 'Invalid body', schema: ErrorSchema },
        401: { description: 'No valid registration token', schema: ErrorSchema },
        403: { description: 'Registration is disabled', schema: ErrorSchema },
      },
    },
    async ({ body }) => {
      const { agent, token } = await serverStore.registerAgent(body.name, { now: now() })
      logger.info({ agentId: agent.id, name: agent.name }, 'agent registered')
      return { agent: { id: agent.id, name: agent.name, createdAt: agent.createdAt }, token }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/claim',
      operationId: 'claimJob',
      summary: 'Claim the next due job (long-poll up to 20 s)',
      description:
        'Due `test` and `refresh` jobs come before imports; a job whose agent died (lease expired) is handed out again. ' +
        "200 with the job, its connector and, for this agent only, the connector's decrypted credentials; 204 when nothing came within `waitMs`.",
      tag: TAG,
      auth: 'agent',
      body: ClaimBodySchema,
      responses: {
        200: { description: 'A job this agent now holds', schema: ClaimedJobSchema },
        204: { description: 'No job within waitMs' },
        400: { description: 'Invalid body', schema: ErrorSchema },
        ...errors,
      },
    },
    async ({ body, actor, res }) => {
      const agent = agentOf(actor)
      let gone = false
      // The response's close (not the request's: that fires once the body is read) means the agent hung up.
      res.once('close', () => {
        gone = !res.writableFinished
      })
      const deadline = Date.now() + body.waitMs
      for (;;) {
        if (gone) return undefined
        const job = await store.claimJob({ agentId: agent.id, leaseMs: body.leaseMs, kinds: body.kinds as JobKind[] | undefined, now: now() })
        if (job) {
          try {
            const connector = await store.getConnector(job.connectorId)
            const credentials = await serverStore.getConnectorCredentials(job.connectorId)
            logger.info({ jobId: job.id, kind: job.kind, agentId: agent.id }, 'job claimed')
            return { job, connector, credentials }
          } catch (error) {
            // A job that cannot be handed over (its credentials unreadable) fails for good rather than loop.
            logger.error({ err: error, jobId: job.id }, 'claimed job cannot be handed to an agent')
            const message = error instanceof Error ? error.message : String(error)
            await store.failJob(job.id, { agentId: agent.id, error: { code: 'CREDENTIALS_UNREADABLE', message }, retryAt: null, now: now() })
            continue
          }
        }
        const left = deadline - Date.now()
        if (left <= 0) {
          res.status(204).end()
          return undefined
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(CLAIM_POLL_MS, left)))
      }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/heartbeat',
      operationId: 'heartbeatJob',
      summary: 'Extend the lease and report progress; the answer carries cancelRequestedAt',
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      body: HeartbeatBodySchema,
      responses: { 200: { description: 'The job, lease extended', schema: JobResponseSchema }, 400: { description: 'Invalid body', schema: ErrorSchema }, ...jobErrors },
    },
    async ({ params, body, actor }) => {
      const agent = agentOf(actor)
      const job = await store.heartbeatJob(params.jobGuid, { agentId: agent.id, leaseMs: body.leaseMs, progress: body.progress, now: now() })
      return { job }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/complete',
      operationId: 'completeJob',
      summary: 'Complete the job (with its result); a scheduled import queues its next run',
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      body: CompleteBodySchema,
      responses: { 200: { description: 'Completed', schema: CompletedSchema }, 400: { description: 'Invalid body', schema: ErrorSchema }, ...jobErrors },
    },
    async ({ params, body, actor }) => {
      const agent = agentOf(actor)
      const done = await store.completeJob(params.jobGuid, { agentId: agent.id, nextRunAt: date(body.nextRunAt), result: body.result, now: now() })
      logger.info({ jobId: params.jobGuid, agentId: agent.id }, 'job completed')
      await importCollectionsCreatedDuring(done.job)
      return done
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/fail',
      operationId: 'failJob',
      summary: 'Record a failure: queued again at retryAt while attempts remain, else failed',
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      body: FailBodySchema,
      responses: { 200: { description: 'Recorded', schema: JobResponseSchema }, 400: { description: 'Invalid body', schema: ErrorSchema }, ...jobErrors },
    },
    async ({ params, body, actor }) => {
      const agent = agentOf(actor)
      const job = await store.failJob(params.jobGuid, {
        agentId: agent.id,
        error: body.error,
        retryAt: date(body.retryAt),
        nextRunAt: date(body.nextRunAt),
        now: now(),
      })
      logger.info({ jobId: job.id, agentId: agent.id, code: body.error.code, status: job.status }, 'job failed')
      return { job }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/acknowledge-cancel',
      operationId: 'acknowledgeCancel',
      summary: 'Confirm that the agent stopped a job whose cancel was requested: it ends cancelled',
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      body: AcknowledgeCancelBodySchema,
      responses: { 200: { description: 'Cancelled', schema: JobResponseSchema }, 400: { description: 'Invalid body', schema: ErrorSchema }, ...jobErrors },
    },
    async ({ params, body, actor }) => {
      const agent = agentOf(actor)
      const job = await store.acknowledgeCancel(params.jobGuid, { agentId: agent.id, nextRunAt: date(body.nextRunAt), now: now() })
      return { job }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/agents/jobs/:jobGuid/connector',
      operationId: 'getJobConnector',
      summary: "The held job's connector",
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      responses: { 200: { description: 'The connector', schema: AgentConnectorSchema }, ...jobErrors },
    },
    async ({ params, actor }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      return store.getConnector(job.connectorId)
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/agents/jobs/:jobGuid/collections',
      operationId: 'listJobCollections',
      summary: "The collections of the held job's connector, by folder path",
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      responses: { 200: { description: 'Collections', schema: CollectionsResponseSchema }, ...jobErrors },
    },
    async ({ params, actor }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      return { collections: await store.listCollections(job.connectorId) }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/agents/jobs/:jobGuid/collections/:collectionGuid',
      operationId: 'getJobCollection',
      summary: "One collection of the held job's connector",
      tag: TAG,
      auth: 'agent',
      params: JobCollectionParamsSchema,
      responses: { 200: { description: 'The collection', schema: AgentCollectionSchema }, ...jobErrors },
    },
    async ({ params, actor }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      return jobCollection(job, params.collectionGuid)
    },
  )

  api.route(
    {
      method: 'put',
      path: '/api/agents/jobs/:jobGuid/folders',
      operationId: 'replaceJobFolders',
      summary: "Replace all folders of the job's connector (NDJSON, one FolderSummary per line)",
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      rawBody: { contentType: NDJSON_CONTENT_TYPE, schema: FolderSummarySchema, description: 'One folder per line, any order.' },
      responses: { 200: { description: 'Stored, all at once', schema: FolderCountSchema }, ...uploadErrors },
    },
    async ({ params, actor, req }) => {
      const agent = agentOf(actor)
      await heldJob(params.jobGuid, agent)
      requireNdjson(req.headers['content-type'])
      const staged = await stageNdjsonUpload(req, { header: null, line: FolderSummarySchema })
      try {
        const job = await heldJob(params.jobGuid, agent)
        await store.replaceFolders(job.connectorId, flattenSync<FolderSummary>(staged.batches()))
        return { folderCount: staged.count }
      } finally {
        staged.dispose()
      }
    },
  )

  api.route(
    {
      method: 'put',
      path: '/api/agents/jobs/:jobGuid/collections/:collectionGuid/file-info',
      operationId: 'replaceJobFileInfo',
      summary: "Replace a collection's FileInfo (NDJSON: a header line, then one FileInfo per line)",
      description:
        'All or nothing. With `importId` and `delta` in the header, the delta is stored and the collection marked done for that import in the same transaction; ' +
        'a retried upload of a collection the import has already stored writes nothing and answers `replayed: true`.',
      tag: TAG,
      auth: 'agent',
      params: JobCollectionParamsSchema,
      rawBody: { contentType: NDJSON_CONTENT_TYPE, schema: FileInfoLineSchema, description: 'Line 1: FileInfoUploadHeader; then one FileInfo per line (an object, or `[key, size, lastModified, etag, storageClass]`).' },
      responses: { 200: { description: 'Stored', schema: FileCountSchema }, ...uploadErrors },
    },
    async ({ params, actor, req }) => {
      const agent = agentOf(actor)
      await jobCollection(await heldJob(params.jobGuid, agent), params.collectionGuid)
      requireNdjson(req.headers['content-type'])
      const staged = await stageNdjsonUpload(req, { header: FileInfoUploadHeaderSchema, line: FileInfoLineSchema, quickCheck: quickFileInfo })
      try {
        const job = await heldJob(params.jobGuid, agent)
        const { header } = staged
        const replayed = await alreadyStored(job, header.importId, params.collectionGuid)
        if (replayed) return { fileCount: replayed.fileCount, replayed: true }
        const { fileCount } = await store.replaceFileInfo(params.collectionGuid, staged.batches() as Iterable<FileInfo[]>, {
          source: header.source,
          updatedAt: header.updatedAt,
          importId: header.importId,
          delta: header.delta,
        })
        return { fileCount, replayed: false }
      } finally {
        staged.dispose()
      }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/collections/:collectionGuid/file-info-changes',
      operationId: 'applyJobFileInfoChanges',
      summary: "Apply changes to a collection's FileInfo (NDJSON: a header line, then one change per line)",
      description: 'All or nothing, with the same header and replay rule as the FileInfo upload.',
      tag: TAG,
      auth: 'agent',
      params: JobCollectionParamsSchema,
      rawBody: { contentType: NDJSON_CONTENT_TYPE, schema: FileInfoChangeLineSchema, description: 'Line 1: FileInfoUploadHeader; then `{"upsert": FileInfo}` or `{"delete": key}` per line.' },
      responses: { 200: { description: 'Stored', schema: FileCountSchema }, ...uploadErrors },
    },
    async ({ params, actor, req }) => {
      const agent = agentOf(actor)
      await jobCollection(await heldJob(params.jobGuid, agent), params.collectionGuid)
      requireNdjson(req.headers['content-type'])
      const staged = await stageNdjsonUpload(req, { header: FileInfoUploadHeaderSchema, line: FileInfoChangeLineSchema })
      try {
        const job = await heldJob(params.jobGuid, agent)
        const { header } = staged
        const replayed = await alreadyStored(job, header.importId, params.collectionGuid)
        if (replayed) return { fileCount: replayed.fileCount, replayed: true }
        const changes: FileInfoChanges = { upserts: [], deletes: [] }
        for (const batch of staged.batches()) {
          for (const change of batch) {
            if ('upsert' in change) changes.upserts.push(change.upsert)
            else changes.deletes.push(change.delete)
          }
        }
        const { fileCount } = await store.applyFileInfoChanges(params.collectionGuid, changes, {
          source: header.source,
          updatedAt: header.updatedAt,
          importId: header.importId,
          delta: header.delta,
        })
        return { fileCount, replayed: false }
      } finally {
        staged.dispose()
      }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/file-info-batch',
      operationId: 'writeJobFileInfoBatch',
      summary: "Store several collections' FileInfo in one upload (NDJSON: per collection a marker line, then its lines)",
      description:
        'What the FileInfo upload and the FileInfo changes upload store, for many small collections in one request (an import sends ' +
        'collections of up to about 10,000 rows this way, bigger ones on their own). Every line is validated before anything is stored; then ' +
        'the collections are stored all or nothing, in order (in one transaction when the store writes batches, else one each), and one this import has stored already is left as it is (`replayed`).',
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      rawBody: { contentType: NDJSON_CONTENT_TYPE, schema: FileInfoBatchLineSchema, description: '`{"collection": FileInfoBatchMarker}`, then FileInfo or change lines; repeated.' },
      responses: {
        200: { description: 'Stored', schema: FileInfoBatchResultSchema },
        ...uploadErrors,
        413: { description: 'PAYLOAD_TOO_LARGE: more lines than a batch holds', schema: ErrorSchema },
      },
    },
    async ({ params, actor, req }) => {
      const agent = agentOf(actor)
      await heldJob(params.jobGuid, agent)
      requireNdjson(req.headers['content-type'])
      const parts = await readFileInfoBatch(req)
      const job = await heldJob(params.jobGuid, agent)
      for (const part of parts) await jobCollection(job, part.collectionId)
      // What this import had stored before the batch: a retried batch skips those collections.
      const stored = new Map<string, ReadonlySet<string>>()
      for (const importId of new Set(parts.flatMap((part) => (part.importId === undefined ? [] : [part.importId])))) {
        stored.set(importId, new Set((await jobSession(job, importId)).checkpoint.collectionsDone))
      }
      const replayed = (part: FileInfoBatchPart): boolean => part.importId !== undefined && stored.get(part.importId)!.has(part.collectionId)
      const optionsOf = (part: FileInfoBatchPart) => ({ source: part.source, updatedAt: part.updatedAt, importId: part.importId, delta: part.delta })
      const pending = parts.filter((part) => !replayed(part))
      // A store with batch writes stores them all in one transaction (and skips what this import stored already).
      const batched = store.writeFileInfoBatch !== undefined && pending.length > 1
      if (batched) {
        await store.writeFileInfoBatch!(
          pending.map((part) =>
            part.mode === 'replace'
              ? { collectionId: part.collectionId, options: optionsOf(part), replace: part.files }
              : { collectionId: part.collectionId, options: optionsOf(part), changes: part.changes },
          ),
        )
      }
      const results = []
      for (const part of parts) {
        if (batched || replayed(part)) {
          results.push({ collectionId: part.collectionId, fileCount: (await store.getCollection(part.collectionId)).fileCount, replayed: replayed(part) })
          continue
        }
        const { fileCount } =
          part.mode === 'replace'
            ? await store.replaceFileInfo(part.collectionId, [part.files], optionsOf(part))
            : await store.applyFileInfoChanges(part.collectionId, part.changes, optionsOf(part))
        results.push({ collectionId: part.collectionId, fileCount, replayed: false })
      }
      return { collections: results }
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/file-info-read',
      operationId: 'readJobFileInfoBatch',
      summary: "Several collections' stored FileInfo in one NDJSON stream (per collection a marker line, then its FileInfo in key order)",
      description: 'What the FileInfo download gives, for many small collections in one request (an import reads collections of up to about 10,000 files this way).',
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      body: FileInfoReadBodySchema,
      responses: {
        200: { description: 'Each collection in the order asked: `{"collection": id}`, then its FileInfo lines', schema: FileInfoReadLineSchema, contentType: NDJSON_CONTENT_TYPE },
        400: { description: 'Invalid body', schema: ErrorSchema },
        ...jobErrors,
      },
    },
    async ({ params, body, actor, res }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      for (const collectionId of body.collectionIds) await jobCollection(job, collectionId)
      async function* lines(): AsyncGenerator<readonly unknown[]> {
        for (const collectionId of body.collectionIds) {
          yield [{ collection: collectionId }]
          yield* store.readFileInfo(collectionId, { batchSize: 5000 })
        }
      }
      await streamNdjson(res, lines(), fileInfoLines(body.format))
      return undefined
    },
  )

  /** The collection when the import named in an upload has stored it already (the upload is a retry). */
  async function alreadyStored(job: ImportJob, importId: string | undefined, collectionId: string): Promise<Collection | null> {
    if (importId === undefined) return null
    const session = await jobSession(job, importId)
    return session.checkpoint.collectionsDone.includes(collectionId) ? store.getCollection(collectionId) : null
  }

  api.route(
    {
      method: 'get',
      path: '/api/agents/jobs/:jobGuid/collections/:collectionGuid/file-info',
      operationId: 'readJobFileInfo',
      summary: "A collection's stored FileInfo as NDJSON, in key order (UTF-8 bytes)",
      tag: TAG,
      auth: 'agent',
      params: JobCollectionParamsSchema,
      query: FileInfoReadQuerySchema,
      responses: { 200: { description: 'One FileInfo per line (an object, or with `format=tuple` an array)', schema: FileInfoLineSchema, contentType: NDJSON_CONTENT_TYPE }, ...jobErrors },
    },
    async ({ params, query, actor, res }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      const collection = await jobCollection(job, params.collectionGuid)
      await streamNdjson(res, store.readFileInfo(collection.id, { batchSize: 5000 }), fileInfoLines(query.format))
      return undefined
    },
  )

  api.route(
    {
      method: 'post',
      path: '/api/agents/jobs/:jobGuid/import-sessions',
      operationId: 'createJobImportSession',
      summary: "Start an import session of the job's connector",
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      body: NewImportSessionBodySchema,
      responses: { 201: { description: 'Created', schema: ImportSessionSchema }, 400: { description: 'Invalid body', schema: ErrorSchema }, ...jobErrors },
    },
    async ({ params, body, actor }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      return store.createImportSession({ connectorId: job.connectorId, ...body })
    },
  )

  api.route(
    {
      method: 'patch',
      path: '/api/agents/jobs/:jobGuid/import-sessions/:importGuid',
      operationId: 'updateJobImportSession',
      summary: 'Update an import session: checkpoint, status, summary, error',
      tag: TAG,
      auth: 'agent',
      params: JobSessionParamsSchema,
      body: ImportSessionPatchBodySchema,
      responses: { 200: { description: 'Updated', schema: ImportSessionSchema }, 400: { description: 'Invalid body', schema: ErrorSchema }, ...jobErrors },
    },
    async ({ params, body, actor }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      await jobSession(job, params.importGuid)
      return store.updateImportSession(params.importGuid, body as Parameters<typeof store.updateImportSession>[1])
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/agents/jobs/:jobGuid/import-sessions',
      operationId: 'listJobImportSessions',
      summary: "Import sessions of the job's connector, newest first",
      tag: TAG,
      auth: 'agent',
      params: JobParamsSchema,
      query: ImportSessionsQuerySchema,
      responses: { 200: { description: 'Sessions', schema: ImportSessionsResponseSchema }, ...jobErrors },
    },
    async ({ params, query, actor }) => {
      const job = await heldJob(params.jobGuid, agentOf(actor))
      return { sessions: await store.listImportSessions(job.connectorId, { limit: query.limit }) }
    },
  )
}
