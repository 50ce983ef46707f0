/**
 * The browser's client of the user API: one typed method per endpoint the UI calls, bearer token, JSON in
 * and out. A failed call throws {@link ApiError} with the API's code, message and validation issues.
 */
import type {
  ApiErrorBody,
  AuditEntry,
  Collection,
  Connector,
  ConnectorListItem,
  CreateConnectorBody,
  Delta,
  DeltaList,
  DeltaType,
  FilePage,
  FolderPage,
  FromInventoryBody,
  FromInventoryResponse,
  ImportView,
  InventoryConfigBody,
  InventoryStatus,
  Job,
  UpdateConnectorBody,
  ValidationIssue,
} from './types.js'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
    /** The whole answer (a 409 IMPORT_IN_PROGRESS carries the running `job` beside `error`). */
    readonly body: unknown = null,
  ) {
    super(message)
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
type Query = Record<string, string | number | undefined>

/** `?a=1&b=x` of the defined values, or ''. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}

export interface ApiClientOptions {
  token: string
  /** Origin of the server; the page's own by default. */
  baseUrl?: string | undefined
  /** Called on a 401 (the token is wrong or revoked) before the error is thrown. */
  onUnauthenticated?: (() => void) | undefined
  fetch?: typeof fetch | undefined
}

export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const request = async <T>(method: Method, path: string, body?: unknown): Promise<T> => {
    let response: Response
    try {
      response = await doFetch(`${options.baseUrl ?? ''}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `The server did not answer (${error instanceof Error ? error.message : String(error)}).`)
    }
    if (response.status === 204) return undefined as T
    const text = await response.text()
    let json: unknown = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = null
    }
    if (!response.ok) {
      if (response.status === 401) options.onUnauthenticated?.()
      const error = (json as Partial<ApiErrorBody> | null)?.error
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? (text.slice(0, 200) || response.statusText), error?.issues ?? [], json)
    }
    return json as T
  }
  const con = (guid: string) => `/api/connectors/${encodeURIComponent(guid)}`
  const col = (guid: string) => `/api/collections/${encodeURIComponent(guid)}`
  return {
    listConnectors: () => request<{ connectors: ConnectorListItem[] }>('GET', '/api/connectors'),
    getConnector: (guid: string) => request<Connector>('GET', con(guid)),
    createConnector: (body: CreateConnectorBody) => request<Connector>('POST', '/api/connectors', body),
    updateConnector: (guid: string, body: UpdateConnectorBody) => request<Connector>('PATCH', con(guid), body),
    setInventoryConfig: (guid: string, body: InventoryConfigBody) => request<Connector>('PUT', `${con(guid)}/inventory/config`, body),
    testAccess: (guid: string) => request<{ job: Job }>('POST', `${con(guid)}/inventory/test`),
    importNow: (guid: string) => request<{ job: Job }>('POST', `${con(guid)}/inventory/import`),
    inventoryStatus: (guid: string) => request<InventoryStatus>('GET', `${con(guid)}/inventory/status`),
    listFolders: (guid: string, query: { parent?: string; q?: string; cursor?: string; limit?: number }) =>
      request<FolderPage>('GET', `${con(guid)}/inventory/folders${queryString(query)}`),
    listImports: (guid: string, limit = 20) => request<{ imports: ImportView[] }>('GET', `${con(guid)}/inventory/imports${queryString({ limit })}`),
    audit: (guid: string, limit = 50) => request<{ entries: AuditEntry[] }>('GET', `${con(guid)}/audit${queryString({ limit })}`),
    createCollections: (body: FromInventoryBody) => request<FromInventoryResponse>('POST', '/api/collections/from-inventory', body),
    listCollections: (connectorGuid: string) => request<{ collections: Collection[] }>('GET', `/api/collections${queryString({ connector: connectorGuid })}`),
    getCollection: (guid: string) => request<Collection>('GET', col(guid)),
    listFiles: (guid: string, query: { prefix?: string; cursor?: string; limit?: number }) => request<FilePage>('GET', `${col(guid)}/files${queryString(query)}`),
    refreshCollection: (guid: string) => request<{ job: Job }>('POST', `${col(guid)}/refresh`),
    listDeltas: (guid: string, query: { cursor?: string; limit?: number } = {}) => request<DeltaList>('GET', `${col(guid)}/deltas${queryString(query)}`),
    latestDelta: (guid: string, type?: DeltaType) => request<Delta>('GET', `${col(guid)}/deltas/latest${queryString({ type })}`),
    listJobs: (query: { connector?: string; status?: Job['status']; kind?: Job['kind']; limit?: number }) => request<{ jobs: Job[] }>('GET', `/api/jobs${queryString(query)}`),
    getJob: (guid: string) => request<{ job: Job }>('GET', `/api/jobs/${encodeURIComponent(guid)}`),
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
