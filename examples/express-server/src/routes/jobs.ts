import { actorName } from '../auth.js'
import type { RouteContext } from '../context.js'
import { HttpError } from '../errors.js'
import { ErrorSchema, JobListSchema, JobParamsSchema, JobResponseSchema, JobsQuerySchema } from '../schemas.js'
import { storeHas, storeMethod } from '../store-features.js'
import { jobView } from '../views.js'

const TAG = 'jobs'
const notFound = { description: 'No such job', schema: ErrorSchema }

export function jobRoutes({ api, store, now }: RouteContext): void {
  api.route(
    {
      method: 'get',
      path: '/api/jobs',
      operationId: 'listJobs',
      summary: 'Jobs, newest first, by connector, status and kind',
      tag: TAG,
      auth: 'user',
      query: JobsQuerySchema,
      responses: { 200: { description: 'Jobs', schema: JobListSchema }, 404: { description: 'No such connector', schema: ErrorSchema } },
    },
    async ({ query }) => {
      if (query.connector !== undefined) await store.getConnector(query.connector)
      const options = { status: query.status, limit: query.kind === undefined ? query.limit : 1000, kind: query.kind }
      let jobs = (await store.listJobs(query.connector, options)).map(jobView)
      if (query.kind !== undefined) jobs = jobs.filter((job) => job.kind === query.kind).slice(0, query.limit)
      return { jobs }
    },
  )

  api.route(
    {
      method: 'get',
      path: '/api/jobs/:jobGuid',
      operationId: 'getJob',
      summary: 'One job, with its progress and result',
      tag: TAG,
      auth: 'user',
      params: JobParamsSchema,
      responses: { 200: { description: 'The job', schema: JobResponseSchema }, 404: notFound },
    },
    async ({ params }) => ({ job: jobView(await store.getJob(params.jobGuid)) }),
  )

  api.route(
    {
      method: 'post',
      path: '/api/jobs/:jobGuid/cancel',
      operationId: 'cancelJob',
      summary: 'Cancel a job: a queued one ends at once; a running one stops at its next heartbeat and stores nothing half',
      tag: TAG,
      auth: 'user',
      params: JobParamsSchema,
      responses: {
        200: { description: 'The job (`cancelled`, or running with `cancelRequestedAt`)', schema: JobResponseSchema },
        404: notFound,
        409: { description: 'The job has ended', schema: ErrorSchema },
      },
    },
    async ({ params, actor }) => {
      const job = await store.getJob(params.jobGuid)
      if (storeHas(store, 'cancelJob')) return { job: jobView(await storeMethod(store, 'cancelJob')(job.id, { actor: actorName(actor), now: now() })) }
      if (job.status === 'queued') {
        // A connector has at most one queued import: cancelling its queued jobs of this trigger cancels this one.
        await store.cancelQueuedJobs(job.connectorId, { trigger: job.trigger, actor: actorName(actor), now: now() })
        return { job: jobView(await store.getJob(job.id)) }
      }
      if (job.status === 'running') throw new HttpError(409, 'CONFLICT', `job ${job.id} is running and this store cannot cancel a running job yet`)
      throw new HttpError(409, 'CONFLICT', `job ${job.id} has already ended (${job.status})`)
    },
  )
}
