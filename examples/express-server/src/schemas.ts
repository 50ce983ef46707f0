/**
 * The zod schemas of every request and response of the server: the server validates with them, the
 * OpenAPI document is generated from them, and a web UI can import them
 * (`@shuttersense/inventory-server/schemas`) to type and check what it sends and receives.
 */
import { z } from 'zod'
import { FileInfoSchema, JobProgressSchema } from './agent-schemas.js'

export const ValidationIssueSchema = z
  .object({
    path: z.string().describe('Where: `body`, `query` or `params`, then the field path, e.g. `body.folders.0.path`.'),
    message: z.string(),
    code: z.string(),
  })
  .meta({ id: 'ValidationIssue' })

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable code to branch on, e.g. NOT_FOUND, INVALID_ARGUMENT, IMPORT_IN_PROGRESS.'),
      message: z.string(),
      issues: z.array(ValidationIssueSchema).optional().describe('Every validation problem of a 400.'),
    }),
  })
  .meta({ id: 'Error' })
export type ErrorResponse = z.infer<typeof ErrorSchema>

export const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' })

// ---- user API -------------------------------------------------------------------------------------


export { FileInfoSchema, JobProgressSchema }

const isoDate = z.iso.datetime({ offset: true })
const guidOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{32}$`), `a ${prefix}_… guid`)
const limitQuery = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback)
const ErrorValue = z.object({ code: z.string(), message: z.string() })

export const ConnectorParamsSchema = z.object({ connectorGuid: guidOf('con') })
export const CollectionParamsSchema = z.object({ collectionGuid: guidOf('col') })
export const JobParamsSchema = z.object({ jobGuid: guidOf('job') })

export const ScheduleSchema = z.enum(['manual', 'daily', 'weekly', 'inventory'])
export const InventoryFormatSchema = z.enum(['CSV', 'ORC', 'Parquet'])
export const JobKindSchema = z.enum(['import', 'refresh', 'test'])
export const JobStatusSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled'])

export const CredentialsInputSchema = z
  .object({
    accessKeyId: z.string().trim().min(1).max(256),
    secretAccessKey: z.string().min(1).max(1024),
    sessionToken: z.string().min(1).max(8192).optional(),
    region: z.string().trim().min(1).max(64).optional(),
    endpoint: z.url({ protocol: /^https?$/ }).optional().describe('A custom S3 endpoint (MinIO, s3rver, a VPC endpoint).'),
    forcePathStyle: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'CredentialsInput', description: 'S3 credentials: write-only, stored encrypted, never returned.' })

const connectorName = z.string().trim().min(1).max(200)

export const CreateConnectorBodySchema = z.object({ name: connectorName, credentials: CredentialsInputSchema.optional() }).strict()
export const UpdateConnectorBodySchema = z
  .object({
    name: connectorName.optional(),
    credentials: CredentialsInputSchema.nullable().optional().describe('New credentials, or null to remove them.'),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.credentials !== undefined, 'give name or credentials')

export const InventoryConfigBodySchema = z
  .object({
    destinationBucket: z.string().trim().min(1).max(1024).describe('Bucket the reports are written to (an arn:aws:s3::: prefix is accepted).'),
    destinationPrefix: z.string().max(1024).optional(),
    sourceBucket: z.string().trim().min(1).max(255).regex(/^[^/]+$/, 'a bucket name, without "/"'),
    configName: z.string().trim().min(1).max(255).regex(/^[^/]+$/, 'a configuration id, without "/"'),
    format: InventoryFormatSchema.default('CSV'),
    schedule: ScheduleSchema.default('manual').describe('`inventory`: follow the report\'s own cadence (daily until two reports exist).'),
    deltaListLimit: z.number().int().min(0).max(100_000).default(1000).describe('Changed files kept per list and delta; 0 = counts only.'),
  })
  .strict()
  .meta({ id: 'InventoryConfigInput' })

export const InventoryConfigSchema = z
  .object({
    destinationBucket: z.string(),
    destinationPrefix: z.string().nullable(),
    sourceBucket: z.string(),
    configName: z.string(),
    format: InventoryFormatSchema,
    schedule: ScheduleSchema,
    deltaListLimit: z.number().int(),
  })
  .meta({ id: 'InventoryConfig' })

export const ConnectorSchema = z
  .object({
    guid: guidOf('con'),
    name: z.string(),
    hasCredentials: z.boolean().describe('Credentials are write-only: only whether there are some is shown.'),
    inventoryConfig: InventoryConfigSchema.nullable().describe('null until PUT …/inventory/config.'),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .meta({ id: 'Connector' })
export type ConnectorView = z.infer<typeof ConnectorSchema>
export const ConnectorStateSchema = z
  .enum(['not_configured', 'never_imported', 'queued', 'running', 'imported', 'failed'])
  .describe("`queued`/`running`: an import is waiting or running; otherwise how the last import ended (`imported`, `failed`), or why there is none.")
export const ConnectorListItemSchema = ConnectorSchema.extend({
  state: ConnectorStateSchema,
  folderCount: z.number().int().describe("Folders of the last completed import (as in …/inventory/status)."),
  lastImportAt: isoDate.nullable().describe('When the newest import session ended (or started, while it runs).'),
}).meta({ id: 'ConnectorListItem', description: 'A connector with what a list of connectors shows, so a UI needs no status call per connector.' })
export const ConnectorListSchema = z.object({ connectors: z.array(ConnectorListItemSchema) })

export const JobSchema = z
  .object({
    guid: guidOf('job'),
    connectorGuid: guidOf('con'),
    kind: JobKindSchema,
    trigger: z.enum(['manual', 'scheduled']),
    status: JobStatusSchema,
    actor: z.string().nullable().describe('Who queued it: a user name, or `system` for the schedule.'),
    scheduledAt: isoDate,
    createdAt: isoDate,
    startedAt: isoDate.nullable(),
    finishedAt: isoDate.nullable(),
    attempts: z.number().int(),
    maxAttempts: z.number().int(),
    agentGuid: z.string().nullable().describe('The agent holding the job while it runs.'),
    leaseExpiresAt: isoDate.nullable(),
    cancelRequestedAt: isoDate.nullable(),
    payload: z.record(z.string(), z.unknown()).nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    progress: JobProgressSchema.nullable(),
    progressAt: isoDate.nullable(),
    error: ErrorValue.nullable(),
  })
  .meta({ id: 'Job' })
export type JobView = z.infer<typeof JobSchema>
export const JobResponseSchema = z.object({ job: JobSchema }).meta({ id: 'JobResponse' })
export const JobListSchema = z.object({ jobs: z.array(JobSchema) })
export const JobsQuerySchema = z.object({
  connector: guidOf('con').optional(),
  status: JobStatusSchema.optional(),
  kind: JobKindSchema.optional(),
  limit: limitQuery(1000, 100),
})
export const ImportInProgressSchema = z
  .object({ error: z.object({ code: z.literal('IMPORT_IN_PROGRESS'), message: z.string() }), job: JobSchema })
  .meta({ id: 'ImportInProgress', description: 'An import of the connector is running: this is its job.' })

export const ImportSummaryViewSchema = z.record(z.string(), z.unknown()).meta({ id: 'ImportSummary', description: "The import's summary figures (rows, bad rows, objects, bytes, folders, requests)." })
export const ImportViewSchema = z
  .object({
    guid: guidOf('imp'),
    status: z.enum(['running', 'completed', 'failed']),
    manifestKey: z.string(),
    inventoryTimestamp: z.string(),
    startedAt: isoDate,
    finishedAt: isoDate.nullable(),
    phase: z.enum(['A', 'B', 'C', 'done']),
    summary: ImportSummaryViewSchema.nullable(),
    error: ErrorValue.nullable(),
    requests: z
      .object({
        made: z.number().int().describe('S3 requests the import made.'),
        listObjectsV2Scan: z.number().int().describe('Requests a ListObjectsV2 crawl of the bucket would take (one per 1,000 keys).'),
        saved: z.number().int(),
        savedPercent: z.number(),
      })
      .nullable(),
  })
  .meta({ id: 'Import' })
export const ImportListSchema = z.object({ imports: z.array(ImportViewSchema) })
export const LimitQuerySchema = z.object({ limit: limitQuery(1000, 50) })

export const InventoryStatusSchema = z
  .object({
    connectorGuid: guidOf('con'),
    configured: z.boolean(),
    schedule: ScheduleSchema.nullable(),
    currentJob: JobSchema.nullable().describe('The queued or running import, with its phase and progress.'),
    lastImport: ImportViewSchema.nullable(),
    lastScheduledImportAt: isoDate.nullable(),
    nextScheduledImportAt: isoDate.nullable(),
    folderCount: z.number().int(),
    mappedFolderCount: z.number().int().describe('Folders bound to a collection.'),
    lastAccessTest: JobSchema.nullable().describe('The newest access test; its `result` holds the findings.'),
  })
  .meta({ id: 'InventoryStatus' })

export const FoldersQuerySchema = z.object({
  parent: z.string().max(4096).optional().describe('List the direct children of this folder (`2020/`); `` or absent: the top level.'),
  q: z.string().min(1).max(1024).optional().describe('Case-insensitive substring of the path, at any depth (instead of `parent`).'),
  cursor: z.string().max(4096).optional(),
  limit: limitQuery(10_000, 1000),
})
export const FolderSchema = z
  .object({
    guid: z.string().regex(/^fld_[0-9a-f]{32}$/),
    path: z.string(),
    objectCount: z.number().int(),
    totalSizeBytes: z.number(),
    directObjectCount: z.number().int(),
    directSizeBytes: z.number(),
    lastModified: isoDate.nullable(),
    hasChildren: z.boolean(),
    collectionGuid: guidOf('col').nullable(),
    suggestedName: z.string(),
  })
  .meta({ id: 'Folder' })
export const FolderPageSchema = z.object({ folders: z.array(FolderSchema), nextCursor: z.string().nullable() })

export const CollectionSchema = z
  .object({
    guid: guidOf('col'),
    connectorGuid: guidOf('con'),
    name: z.string(),
    folderPath: z.string(),
    fileCount: z.number().int(),
    fileInfoSource: z.enum(['inventory', 'api']).nullable(),
    fileInfoUpdatedAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'Collection' })
export type CollectionView = z.infer<typeof CollectionSchema>
export const CollectionListSchema = z.object({ collections: z.array(CollectionSchema) })
export const CollectionsQuerySchema = z.object({ connector: guidOf('con').optional() })
const collectionName = z.string().trim().min(1).max(200)
export const FromInventoryBodySchema = z
  .object({
    connectorGuid: guidOf('con'),
    folders: z
      .array(z.object({ path: z.string().min(1).max(4096).endsWith('/', 'a folder path ends in "/"'), name: collectionName.optional() }).strict())
      .min(1)
      .max(10_000),
    importNow: z.boolean().default(true).describe('Queue "Import now" so the new collections get their FileInfo at once.'),
  })
  .strict()
  .meta({ id: 'FromInventoryInput' })
export const FromInventoryResponseSchema = z.object({ collections: z.array(CollectionSchema), job: JobSchema.nullable() })
export const UpdateCollectionBodySchema = z.object({ name: collectionName }).strict()

export const FilesQuerySchema = z.object({
  prefix: z.string().max(4096).optional().describe('Only keys starting with this (full keys, e.g. `2021/Wedding/ceremony/`).'),
  cursor: z.string().max(4096).optional().describe('Continue after this key (the previous page\'s `nextCursor`).'),
  limit: limitQuery(10_000, 1000),
})
export const FilePageSchema = z.object({
  files: z.array(FileInfoSchema),
  nextCursor: z.string().nullable(),
  fileInfoSource: z.enum(['inventory', 'api']).nullable(),
  fileInfoUpdatedAt: isoDate.nullable(),
  fileCount: z.number().int(),
})

const DeltaCounts = z.object({ new: z.number().int(), modified: z.number().int(), deleted: z.number().int(), unchanged: z.number().int() })
const ModifiedFile = z.object({ key: z.string(), before: FileInfoSchema, after: FileInfoSchema })
export const DeltaSchema = z
  .object({
    collectionGuid: guidOf('col'),
    importGuid: z.string().nullable(),
    computedAt: isoDate,
    counts: DeltaCounts,
    new: z.array(FileInfoSchema),
    modified: z.array(ModifiedFile),
    deleted: z.array(FileInfoSchema),
    truncated: z.boolean().describe('True when a list holds fewer entries than its count (deltaListLimit).'),
    baseline: z.boolean().describe("True for a collection's first import: every file is new, the lists are left empty."),
  })
  .meta({ id: 'Delta' })
export const DeltaListSchema = z.object({ deltas: z.array(DeltaSchema), nextCursor: z.string().nullable() })
export const DeltasQuerySchema = z.object({ cursor: z.string().max(200).optional(), limit: limitQuery(100, 20) })
export const LatestDeltaQuerySchema = z.object({ type: z.enum(['new', 'modified', 'deleted']).optional().describe('Only this list (the others are empty).') })

export const AuditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: isoDate,
    actor: z.string().describe('A user name, an agent id or `system`.'),
    action: z.string(),
    subjectGuid: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEntry' })
export const AuditListSchema = z.object({ entries: z.array(AuditEntrySchema) })
