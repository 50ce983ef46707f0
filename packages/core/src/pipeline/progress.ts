import type { ImportPhase, JobProgress } from '../store.js'
import type { BadRowReason } from '../types.js'

/** What just happened, for a progress bar or a log line. */
export type ImportProgressEvent =
  | 'discovered'
  | 'data-file-progress'
  | 'data-file-done'
  | 'folders-stored'
  | 'collection-done'
  | 'completed'

/** A snapshot of an import's progress, sent with every event. */
export interface ImportProgress {
  event: ImportProgressEvent
  phase: ImportPhase
  importId: string
  /** The data file or collection id the event is about. */
  subject?: string | undefined
  compressedBytesRead: number
  compressedBytesTotal: number
  dataFilesDone: number
  dataFilesTotal: number
  /** Records read so far (updated as batches arrive). */
  rows: number
  /** Of the data files read completely: current objects found, and malformed rows skipped by reason. */
  records: number
  badRows: Partial<Record<BadRowReason, number>>
  collectionsDone: number
  collectionsTotal: number
}

/** Share of an import's work done when phase A ends: reading the report is most of it. */
const PHASE_A_SHARE = 0.7

/**
 * An import's progress as a job reports it (`JobProgress`): the percentage weighs phase A by the
 * compressed bytes read and phases B and C by the collections stored.
 */
export function jobProgressOf(progress: ImportProgress): JobProgress {
  const readShare = progress.compressedBytesTotal > 0 ? progress.compressedBytesRead / progress.compressedBytesTotal : 1
  const storedShare = progress.collectionsTotal > 0 ? progress.collectionsDone / progress.collectionsTotal : 1
  const share =
    progress.phase === 'A' ? PHASE_A_SHARE * readShare : progress.phase === 'done' ? 1 : PHASE_A_SHARE + (1 - PHASE_A_SHARE) * storedShare
  return {
    phase: progress.phase,
    percent: Math.round(Math.min(1, Math.max(0, share)) * 1000) / 10,
    rows: progress.rows,
    records: progress.records,
    badRows: { ...progress.badRows },
    dataFilesDone: progress.dataFilesDone,
    dataFiles: progress.dataFilesTotal,
    collectionsDone: progress.collectionsDone,
    collections: progress.collectionsTotal,
  }
}
