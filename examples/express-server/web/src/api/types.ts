/**
 * The API's shapes, inferred from the server's own zod schemas (the same ones it validates with and
 * builds /api/openapi.json from). Type imports only: no zod reaches the browser bundle.
 */
import type { z } from 'zod'
import type * as S from '@shuttersense/inventory-server/schemas'

export type ApiErrorBody = z.infer<typeof S.ErrorSchema>
export type ValidationIssue = z.infer<typeof S.ValidationIssueSchema>

export type Connector = z.infer<typeof S.ConnectorSchema>
export type ConnectorListItem = z.infer<typeof S.ConnectorListSchema>['connectors'][number]
export type CreateConnectorBody = z.input<typeof S.CreateConnectorBodySchema>
export type UpdateConnectorBody = z.input<typeof S.UpdateConnectorBodySchema>
export type CredentialsInput = z.input<typeof S.CredentialsInputSchema>
export type InventoryConfigBody = z.input<typeof S.InventoryConfigBodySchema>
export type InventoryConfig = z.infer<typeof S.InventoryConfigSchema>
export type Schedule = z.infer<typeof S.ScheduleSchema>
export type InventoryFormat = z.infer<typeof S.InventoryFormatSchema>

export type Job = z.infer<typeof S.JobSchema>
export type JobProgress = z.infer<typeof S.JobProgressSchema>
export type InventoryStatus = z.infer<typeof S.InventoryStatusSchema>
export type ImportView = z.infer<typeof S.ImportViewSchema>
export type AuditEntry = z.infer<typeof S.AuditEntrySchema>

export type Folder = z.infer<typeof S.FolderSchema>
export type FolderPage = z.infer<typeof S.FolderPageSchema>
export type FoldersQuery = z.input<typeof S.FoldersQuerySchema>

export type Collection = z.infer<typeof S.CollectionSchema>
export type FromInventoryBody = z.input<typeof S.FromInventoryBodySchema>
export type FromInventoryResponse = z.infer<typeof S.FromInventoryResponseSchema>
export type FileInfo = z.infer<typeof S.FileInfoSchema>
export type FilePage = z.infer<typeof S.FilePageSchema>
export type Delta = z.infer<typeof S.DeltaSchema>
export type DeltaList = z.infer<typeof S.DeltaListSchema>
export type DeltaType = NonNullable<z.input<typeof S.LatestDeltaQuerySchema>['type']>

export const SCHEDULES: readonly Schedule[] = ['manual', 'daily', 'weekly', 'inventory']
export const FORMATS: readonly InventoryFormat[] = ['CSV', 'ORC', 'Parquet']
