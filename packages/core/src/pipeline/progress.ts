import type { ImportPhase } from '../store.js'

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
  rows: number
  collectionsDone: number
  collectionsTotal: number
}
