import type { ConnectorListItem, Schedule } from '../api/types.js'

/** Each state of a connector in the list, in words. */
export const CONNECTOR_STATE_TEXT: Record<ConnectorListItem['state'], string> = {
  not_configured: 'Not configured',
  never_imported: 'Not imported yet',
  queued: 'Import queued',
  running: 'Importing',
  imported: 'Imported',
  failed: 'Last import failed',
}

/** The schedule choices, as the selector shows them. */
export const SCHEDULE_TEXT: Record<Schedule, string> = {
  manual: 'Manual (Import now only)',
  daily: 'Daily',
  weekly: 'Weekly',
  inventory: "The inventory's own frequency",
}
