import type { RouteContext } from '../context.js'
import { HealthSchema } from '../schemas.js'

export function healthRoutes({ api }: RouteContext): void {
  api.route(
    {
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness: answers 200 without authentication',
      tag: 'health',
      auth: 'none',
      responses: { 200: { description: 'The server is up', schema: HealthSchema } },
    },
    () => ({ status: 'ok' as const }),
  )
}
