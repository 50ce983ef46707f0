/**
 * The zod schemas of the agent API (`/api/agents/*`): what agents send and receive. Store objects
 * (jobs, connectors, collections, import sessions) travel in the store's own shapes, since the agent's
 * HTTP client hands them to core's `runImportJob` as an `ImportStore` would.
 */
import type { FileInfo } from '@shuttersense/inventory-core'
import { z } from 'zod'
import { fileInfoOfTuple } from './file-info-line.js'

const isoDate = z.iso.datetime({ offset: true })
const guid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]+$`), `a ${prefix}_… id`)

export const JobKindSchema = z.enum(['import', 'refresh', 'test'])

export const FileInfoSchema = z
  .object({
    key: z.string().min(1),
    size: z.number().int().nonnegative(),
    lastModified: isoDate,
    etag: z.string(),
    storageClass: z.string(),
  })
  .meta({ id: 'FileInfo', description: 'One file as ShutterSense caches it; `etag` without quotes.' })

export const FolderSummarySchema = z
  .object({
    path: z.string().min(1).endsWith('/'),
    objectCount: z.number().int().nonnegative(),
    totalSizeBytes: z.number().nonnegative(),
    directObjectCount: z.number().int().nonnegative(),
    directSizeBytes: z.number().nonnegative(),
    lastModified: isoDate.nullable(),
  })
  .meta({ id: 'FolderSummary' })

/** FileInfo as the compact line the agent sends ({@link FileInfoTuple}); the object form is accepted too. */
export const FileInfoTupleSchema = z
  .tuple([FileInfoSchema.shape.key, FileInfoSchema.shape.size, FileInfoSchema.shape.lastModified, FileInfoSchema.shape.etag, FileInfoSchema.shape.storageClass])
  .meta({ id: 'FileInfoTuple', description: 'A FileInfo as `[key, size, lastModified, etag, storageClass]`.' })

/** A FileInfo line of an upload: the object, or the compact array; read as the object. */
export const FileInfoLineSchema = z
  .union([FileInfoSchema, FileInfoTupleSchema.transform((tuple) => fileInfoOfTuple(tuple))])
  .meta({ id: 'FileInfoLine', description: 'A FileInfo, as an object or as `[key, size, lastModified, etag, storageClass]`.' })

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/

/**
 * A FileInfo line that is surely valid, without zod (a 1M-file upload is a million lines); `null` leaves
 * the verdict and its explanation to {@link FileInfoLineSchema}. Takes either form (object or compact array)
 * and accepts a subset of what the schema accepts.
 */
export function quickFileInfo(value: unknown): FileInfo | null {
  if (typeof value !== 'object' || value === null) return null
  if (Array.isArray(value)) return value.length === 5 ? checked(value[0], value[1], value[2], value[3], value[4]) : null
  const { key, size, lastModified, etag, storageClass } = value as Record<string, unknown>
  return checked(key, size, lastModified, etag, storageClass)
}

function checked(key: unknown, size: unknown, lastModified: unknown, etag: unknown, storageClass: unknown): FileInfo | null {
  if (typeof key !== 'string' || key.length === 0 || typeof etag !== 'string' || typeof storageClass !== 'string') return null
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return null
  if (typeof lastModified !== 'string' || !ISO_UTC.test(lastModified) || Number.isNaN(Date.parse(lastModified))) return null
  return { key, size, lastModified, etag, storageClass }
}

const DeltaCountsSchema = z.object({
  new: z.number().int().nonnegative(),
  modified: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
})

export const CollectionDeltaSchema = z
  .object({
    counts: DeltaCountsSchema,
    new: z.array(FileInfoSchema),
    modified: z.array(z.object({ key: z.string(), before: FileInfoSchema, after: FileInfoSchema })),
    deleted: z.array(FileInfoSchema),
    truncated: z.boolean(),
    baseline: z.boolean(),
  })
  .meta({ id: 'CollectionDelta' })

const ErrorValueSchema = z.object({ code: z.string().min(1), message: z.string() })

export const JobProgressSchema = z
  .object({
    phase: z.enum(['A', 'B', 'C', 'done']).nullable(),
    percent: z.number().min(0).max(100).nullable(),
    rows: z.number().int().nonnegative(),
    records: z.number().int().nonnegative(),
    badRows: z.record(z.string(), z.number().int().nonnegative()),
    dataFilesDone: z.number().int().nonnegative(),
    dataFiles: z.number().int().nonnegative(),
    collectionsDone: z.number().int().nonnegative(),
    collections: z.number().int().nonnegative(),
    message: z.string().max(1000).optional(),
  })
  .meta({ id: 'JobProgress', description: 'What an agent reports with each heartbeat.' })

/** A store object, passed through as the store returns it. */
const storeObject = (id: string, description: string) => z.looseObject({ id: z.string() }).meta({ id, description })

export const AgentJobSchema = storeObject('AgentJob', 'A job as the store holds it (kind, status, lease, payload, progress, result).')
export const AgentConnectorSchema = storeObject('AgentConnector', "A connector as the store holds it: its inventory location, format, schedule and deltaListLimit.")
export const AgentCollectionSchema = storeObject('AgentCollection', 'A collection as the store holds it.')
export const ImportSessionSchema = storeObject('ImportSession', 'One run of the import of a connector, with its checkpoint.')

export const ConnectorCredentialsSchema = z
  .object({
    accessKeyId: z.string(),
    secretAccessKey: z.string(),
    sessionToken: z.string().optional(),
    region: z.string().optional(),
    endpoint: z.string().optional(),
    forcePathStyle: z.boolean().optional(),
  })
  .meta({ id: 'ConnectorCredentials', description: 'Decrypted S3 credentials: sent only to the agent holding the job.' })

export const AgentRegisterBodySchema = z.object({ name: z.string().trim().min(1).max(100) })
export const AgentRegisteredSchema = z
  .object({
    agent: z.object({ id: guid('agt'), name: z.string(), createdAt: z.string() }),
    token: z.string().describe('The agent token (shown once): `Authorization: Bearer <token>` on every other agent call.'),
  })
  .meta({ id: 'AgentRegistered' })

export const ClaimBodySchema = z.object({
  kinds: z.array(JobKindSchema).min(1).optional().describe('Job kinds this agent runs. @default all'),
  waitMs: z.number().int().min(0).max(20_000).default(20_000).describe('Long-poll: how long to wait for a job.'),
  leaseMs: z.number().int().min(1_000).max(3_600_000).default(60_000).describe('How long the claim holds without a heartbeat.'),
})
export const ClaimedJobSchema = z
  .object({
    job: AgentJobSchema,
    connector: AgentConnectorSchema,
    credentials: ConnectorCredentialsSchema.nullable(),
  })
  .meta({ id: 'ClaimedJob' })

export const JobParamsSchema = z.object({ jobGuid: guid('job') })
export const JobCollectionParamsSchema = JobParamsSchema.extend({ collectionGuid: guid('col') })
export const JobSessionParamsSchema = JobParamsSchema.extend({ importGuid: guid('imp') })

export const HeartbeatBodySchema = z.object({
  leaseMs: z.number().int().min(1_000).max(3_600_000),
  progress: JobProgressSchema.optional(),
})
export const JobResponseSchema = z.object({ job: AgentJobSchema }).meta({ id: 'AgentJobResponse' })
export const CompleteBodySchema = z.object({
  nextRunAt: isoDate.nullable(),
  result: z.record(z.string(), z.unknown()).optional(),
})
export const CompletedSchema = z.object({ job: AgentJobSchema, next: AgentJobSchema.nullable() })
export const FailBodySchema = z.object({
  error: ErrorValueSchema,
  retryAt: isoDate.nullable(),
  nextRunAt: isoDate.nullable().optional(),
})
export const AcknowledgeCancelBodySchema = z.object({ nextRunAt: isoDate.nullable().optional() })

export const CollectionsResponseSchema = z.object({ collections: z.array(AgentCollectionSchema) })
export const FolderCountSchema = z.object({ folderCount: z.number().int() })
export const FileCountSchema = z.object({
  fileCount: z.number().int(),
  replayed: z.boolean().describe('True when this import had stored the collection already (a retried upload): nothing was written.'),
})

export const FileInfoUploadHeaderSchema = z
  .object({
    source: z.enum(['inventory', 'api']),
    updatedAt: isoDate,
    importId: guid('imp').optional(),
    delta: CollectionDeltaSchema.optional(),
  })
  .meta({ id: 'FileInfoUploadHeader', description: 'The first line of a FileInfo upload.' })

export const FileInfoChangeLineSchema = z
  .union([z.object({ upsert: FileInfoLineSchema }), z.object({ delete: z.string().min(1) })])
  .meta({ id: 'FileInfoChange', description: 'After the header line: a file to write, or the key of a file that is gone.' })

export const NewImportSessionBodySchema = z.object({ manifestKey: z.string().min(1), inventoryTimestamp: z.string().min(1) })
export const ImportSessionPatchBodySchema = z.object({
  status: z.enum(['running', 'completed', 'failed']).optional(),
  checkpoint: z.object({ phase: z.enum(['A', 'B', 'C', 'done']), dataFilesDone: z.number().int().nonnegative() }).optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
  error: ErrorValueSchema.nullable().optional(),
  finishedAt: isoDate.nullable().optional(),
})
export const ImportSessionsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() })
export const ImportSessionsResponseSchema = z.object({ sessions: z.array(ImportSessionSchema) })

export const FileInfoBatchMarkerSchema = FileInfoUploadHeaderSchema.extend({
  collectionId: guid('col'),
  mode: z.enum(['replace', 'changes']).describe('`replace`: FileInfo lines follow (the whole new set); `changes`: change lines follow.'),
}).meta({ id: 'FileInfoBatchMarker', description: "Starts one collection's part of a batch upload." })

export const FileInfoBatchLineSchema = z
  .union([z.object({ collection: FileInfoBatchMarkerSchema }), FileInfoLineSchema, FileInfoChangeLineSchema])
  .meta({
    id: 'FileInfoBatchLine',
    description: "`{\"collection\": marker}` starts a collection's part; FileInfo lines (mode `replace`) or change lines (mode `changes`) follow it.",
  })

const FileInfoFormatSchema = z
  .enum(['object', 'tuple'])
  .default('object')
  .describe('How FileInfo lines come: `object` (FileInfo), or `tuple` (`[key, size, lastModified, etag, storageClass]`, what the reference agent asks for).')
export const FileInfoReadQuerySchema = z.object({ format: FileInfoFormatSchema })
export const FileInfoReadBodySchema = z.object({
  collectionIds: z.array(guid('col')).min(1).max(1000).describe("Collections of the job's connector, in the order wanted."),
  format: FileInfoFormatSchema,
})
export const FileInfoReadLineSchema = z
  .union([z.object({ collection: guid('col') }), FileInfoSchema, FileInfoTupleSchema])
  .meta({ id: 'FileInfoReadLine', description: "`{\"collection\": id}` starts a collection's stored FileInfo; its FileInfo lines follow, in key order." })

export const FileInfoBatchResultSchema = z
  .object({
    collections: z.array(z.object({ collectionId: z.string(), fileCount: z.number().int(), replayed: z.boolean() })),
  })
  .meta({ id: 'FileInfoBatchResult', description: 'Each collection of the batch, in order: stored, or already stored by this import (`replayed`).' })
