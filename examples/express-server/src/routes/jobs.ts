import { actorName } from '../auth.js'
import type { RouteContext } from '../context.js'
import { HttpError } from '../errors.js'
import { ErrorSchema, JobListSchema, JobParamsSchema, JobResponseSchema, JobsQuerySchema } from '../schemas.js'
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
      if (job.status !== 'queued' && job.status !== 'running') throw new HttpError(409, 'CONFLICT', `job ${job.id} has already ended (${job.status})`)
      return { job: jobView(await store.cancelJob(job.id, { actor: actorName(actor), now: now() })) }
    },
  )
}
