import { createContext, useContext } from 'react'
import type { ApiClient } from './client.js'

export const ApiContext = createContext<ApiClient | null>(null)

/** The logged-in user's API client. */
export function useApi(): ApiClient {
  const api = useContext(ApiContext)
  if (api === null) throw new Error('useApi outside <ApiContext>')
  return api
}
