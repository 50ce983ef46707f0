import { listRequestsSaved } from '@shuttersense/inventory-core/pure'
import type { AuditEntry, Collection, Connector, ImportJob, ImportSession, StoredDelta } from '@shuttersense/inventory-core/types'
import type { CollectionView, ConnectorView, JobView } from './schemas.js'

/** The API's JSON of store objects: `guid` for ids, `…Guid` for references, credentials never. */

export function connectorView(connector: Connector, hasCredentials: boolean): ConnectorView {
  const location = connector.location
  return {
    guid: connector.id,
    name: connector.name,
    hasCredentials,
    inventoryConfig:
      location === null
        ? null
        : {
            destinationBucket: location.destinationBucket,
            destinationPrefix: location.destinationPrefix ?? null,
            sourceBucket: location.sourceBucket,
            configName: location.configName,
            format: connector.format,
            schedule: connector.schedule,
            deltaListLimit: connector.deltaListLimit,
          },
    createdAt: connector.createdAt,
    updatedAt: connector.updatedAt,
  }
}

export function jobView(job: ImportJob): JobView {
  return {
    guid: job.id,
    connectorGuid: job.connectorId,
    kind: job.kind,
    trigger: job.trigger,
    status: job.status,
    actor: job.actor ?? null,
    scheduledAt: job.scheduledAt,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    agentGuid: job.lockedBy,
    leaseExpiresAt: job.leaseExpiresAt,
    cancelRequestedAt: job.cancelRequestedAt,
    payload: job.payload,
    result: job.result,
    progress: job.progress as JobView['progress'],
    progressAt: job.progressAt,
    error: job.lastError,
  }
}

export function importView(session: ImportSession) {
  const summary = session.summary
  const saved = summary?.requests ? listRequestsSaved({ objectCount: summary.objectCount, requests: summary.requests }) : null
  return {
    guid: session.id,
    status: session.status,
    manifestKey: session.manifestKey,
    inventoryTimestamp: session.inventoryTimestamp,
    startedAt: session.startedAt,
    finishedAt: session.finishedAt,
    phase: session.checkpoint.phase,
    summary: summary as unknown as Record<string, unknown> | null,
    error: session.error,
    requests: saved
      ? { made: saved.inventoryRequests, listObjectsV2Scan: saved.listObjectsV2Requests, saved: saved.saved, savedPercent: saved.savedPercent }
      : null,
  }
}

export function collectionView(collection: Collection): CollectionView {
  return {
    guid: collection.id,
    connectorGuid: collection.connectorId,
    name: collection.name,
    folderPath: collection.folderPath,
    fileCount: collection.fileCount,
    fileInfoSource: collection.fileInfoSource,
    fileInfoUpdatedAt: collection.fileInfoUpdatedAt,
    createdAt: collection.createdAt,
  }
}

export function deltaView(delta: StoredDelta, type?: 'new' | 'modified' | 'deleted') {
  return {
    collectionGuid: delta.collectionId,
    importGuid: delta.importId,
    computedAt: delta.computedAt,
    counts: delta.counts,
    new: type === undefined || type === 'new' ? delta.new : [],
    modified: type === undefined || type === 'modified' ? delta.modified : [],
    deleted: type === undefined || type === 'deleted' ? delta.deleted : [],
    truncated: delta.truncated,
    baseline: delta.baseline,
  }
}

export function auditView(entry: AuditEntry) {
  return { seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, subjectGuid: entry.subjectId, detail: entry.detail }
}

