import { describe, expect, it } from 'vitest'
import type { Connector, Job } from '../src/api/types.js'
import { describeAccessTest } from '../src/view-model/access-test.js'
import { createBodyOf, formValuesOf, inventoryConfigOf, updateBodyOf } from '../src/view-model/connector-form.js'
import { fieldErrors } from '../src/view-model/field-errors.js'

const connector: Connector = {
  guid: `con_${'a'.repeat(32)}`,
  name: 'Photos',
  hasCredentials: true,
  inventoryConfig: { destinationBucket: 'dest', destinationPrefix: null, sourceBucket: 'photos', configName: 'daily', format: 'CSV', schedule: 'daily', deltaListLimit: 1000 },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
}

const job = (patch: Partial<Job>): Job => ({
  guid: `job_${'b'.repeat(32)}`,
  connectorGuid: connector.guid,
  kind: 'test',
  trigger: 'manual',
  status: 'completed',
  actor: 'alice',
  scheduledAt: '2026-01-20T11:00:00.000Z',
  createdAt: '2026-01-20T11:00:00.000Z',
  startedAt: '2026-01-20T11:00:01.000Z',
  finishedAt: '2026-01-20T11:00:02.000Z',
  attempts: 1,
  maxAttempts: 2,
  agentGuid: null,
  leaseExpiresAt: null,
  cancelRequestedAt: null,
  payload: null,
  result: null,
  progress: null,
  progressAt: null,
  error: null,
  ...patch,
})

describe('the connector form', () => {
  it('maps the API issues of a 400 to its fields', () => {
    const errors = fieldErrors([
      { path: 'body.name', message: 'Too small: expected string to have >=1 characters', code: 'too_small' },
      { path: 'body.credentials.secretAccessKey', message: 'Invalid input: expected string, received undefined', code: 'invalid_type' },
      { path: 'body.name', message: 'second message', code: 'custom' },
      { path: 'body', message: 'give name or credentials', code: 'custom' },
      { path: 'query.limit', message: 'not here', code: 'custom' },
    ])
    expect(errors).toEqual({
      name: 'Too small: expected string to have >=1 characters',
      'credentials.secretAccessKey': 'Invalid input: expected string, received undefined',
      '': 'give name or credentials',
    })
  })

  it('sends credentials only when typed, and empty optional fields not at all', () => {
    const values = formValuesOf(connector)
    expect(values).toMatchObject({ name: 'Photos', accessKeyId: '', destinationPrefix: '', schedule: 'daily', deltaListLimit: '1000' })
    expect(updateBodyOf(values)).toEqual({ name: 'Photos' })
    expect(createBodyOf({ ...values, accessKeyId: ' AKIA ', secretAccessKey: 's', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true })).toEqual({
      name: 'Photos',
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 's', sessionToken: undefined, region: undefined, endpoint: 'http://127.0.0.1:9000', forcePathStyle: true },
    })
    expect(inventoryConfigOf({ ...values, destinationPrefix: ' inv ', deltaListLimit: '50' })).toEqual({
      destinationBucket: 'dest',
      destinationPrefix: 'inv',
      sourceBucket: 'photos',
      configName: 'daily',
      format: 'CSV',
      schedule: 'daily',
      deltaListLimit: 50,
    })
  })
})

describe('the access test in words', () => {
  const now = new Date('2026-01-20T11:05:02.000Z')
  it('names the report found and its data files', () => {
    const ok = job({ result: { ok: true, latest: { timestamp: '2026-01-20T00-00Z', dataFiles: 4, compressedBytes: 12_300_000, fileFormat: 'CSV' } } })
    expect(describeAccessTest(ok, now)).toEqual({ tone: 'ok', text: 'Access works: found CSV report 2026-01-20T00-00Z, 4 data files (12.3 MB compressed) (tested 5 minutes ago).' })
  })

  it("gives the agent's sentence and the permission when access fails", () => {
    const denied = job({ result: { ok: false, problem: 'access_denied', code: 'ACCESS_DENIED', message: 'AccessDenied on s3://dest/photos/daily/manifest.json', permission: 's3:GetObject' } })
    expect(describeAccessTest(denied, now)).toEqual({
      tone: 'error',
      text: 'ACCESS_DENIED: AccessDenied on s3://dest/photos/daily/manifest.json Needed permission: s3:GetObject. (tested 5 minutes ago)',
    })
  })

  it('says when it waits, runs, could not run, or never ran', () => {
    expect(describeAccessTest(null, now).text).toBe('Not tested yet.')
    expect(describeAccessTest(job({ status: 'queued' }), now).tone).toBe('busy')
    expect(describeAccessTest(job({ status: 'running' }), now).text).toBe('An agent is testing access…')
    expect(describeAccessTest(job({ status: 'failed', error: { code: 'SOURCE_ERROR', message: 'connect ECONNREFUSED' } }), now)).toEqual({
      tone: 'error',
      text: 'The test could not run: connect ECONNREFUSED.',
    })
  })
})
