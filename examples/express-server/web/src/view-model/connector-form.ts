import type { Connector, CreateConnectorBody, CredentialsInput, InventoryConfigBody, InventoryFormat, Schedule, UpdateConnectorBody } from '../api/types.js'

/** The connector form as typed: strings and a checkbox, before they become API bodies. */
export interface ConnectorFormValues {
  name: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  region: string
  endpoint: string
  forcePathStyle: boolean
  destinationBucket: string
  destinationPrefix: string
  sourceBucket: string
  configName: string
  format: InventoryFormat
  schedule: Schedule
  deltaListLimit: string
}

/** The form of a connector (empty credentials: they are write-only and never come back). */
export function formValuesOf(connector: Connector | null): ConnectorFormValues {
  const config = connector?.inventoryConfig ?? null
  return {
    name: connector?.name ?? '',
    accessKeyId: '',
    secretAccessKey: '',
    sessionToken: '',
    region: '',
    endpoint: '',
    forcePathStyle: false,
    destinationBucket: config?.destinationBucket ?? '',
    destinationPrefix: config?.destinationPrefix ?? '',
    sourceBucket: config?.sourceBucket ?? '',
    configName: config?.configName ?? '',
    format: config?.format ?? 'CSV',
    schedule: config?.schedule ?? 'manual',
    deltaListLimit: String(config?.deltaListLimit ?? 1000),
  }
}

const optional = (value: string): string | undefined => (value.trim() === '' ? undefined : value.trim())

/** Whether any credential field was typed in (on an existing connector, empty fields keep the stored ones). */
export const credentialsTyped = (v: ConnectorFormValues): boolean =>
  [v.accessKeyId, v.secretAccessKey, v.sessionToken, v.region, v.endpoint].some((field) => field.trim() !== '') || v.forcePathStyle

/** The credentials as typed, for the API to validate (an empty key or secret is its to reject, at its field). */
export function credentialsOf(v: ConnectorFormValues): CredentialsInput {
  return {
    accessKeyId: v.accessKeyId.trim(),
    secretAccessKey: v.secretAccessKey,
    sessionToken: optional(v.sessionToken),
    region: optional(v.region),
    endpoint: optional(v.endpoint),
    forcePathStyle: v.forcePathStyle || undefined,
  }
}

export function createBodyOf(v: ConnectorFormValues): CreateConnectorBody {
  return { name: v.name, ...(credentialsTyped(v) ? { credentials: credentialsOf(v) } : {}) }
}

/** PATCH body of an existing connector: the name, and the credentials only when some were typed. */
export function updateBodyOf(v: ConnectorFormValues): UpdateConnectorBody {
  return { name: v.name, ...(credentialsTyped(v) ? { credentials: credentialsOf(v) } : {}) }
}

/** PUT …/inventory/config body; a delta list size that is not a number goes as typed, for the API to name. */
export function inventoryConfigOf(v: ConnectorFormValues): InventoryConfigBody {
  const limit = v.deltaListLimit.trim() === '' ? undefined : Number(v.deltaListLimit)
  return {
    destinationBucket: v.destinationBucket,
    destinationPrefix: optional(v.destinationPrefix),
    sourceBucket: v.sourceBucket,
    configName: v.configName,
    format: v.format,
    schedule: v.schedule,
    deltaListLimit: limit === undefined || Number.isNaN(limit) ? (v.deltaListLimit as unknown as number) : limit,
  }
}

/** Whether the inventory part of the form holds anything (a new connector may be saved without it). */
export const inventoryTyped = (v: ConnectorFormValues): boolean => [v.destinationBucket, v.destinationPrefix, v.sourceBucket, v.configName].some((f) => f.trim() !== '')
