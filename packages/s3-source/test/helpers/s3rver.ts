import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

/** A running s3rver on a random port with its own temp directory. */
export interface S3rverHandle {
  endpoint: string
  /** A client for it (path style, dummy credentials, SDK retries off). */
  client: S3Client
  createBucket(bucket: string): Promise<void>
  upload(bucket: string, objects: Map<string, Uint8Array>): Promise<void>
  stop(): Promise<void>
}

/** The client settings s3rver needs; uploads must not use the SDK's default flexible checksums. */
export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  })
}

export async function startS3rver(): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true })
  const address = await server.run()
  const endpoint = `http://127.0.0.1:${address.port}`
  const client = s3rverClient(endpoint)
  return {
    endpoint,
    client,
    async createBucket(bucket) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }))
    },
    async upload(bucket, objects) {
      for (const [key, body] of objects) {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
      }
    },
    async stop() {
      client.destroy()
      await server.close()
      await rm(directory, { recursive: true, force: true })
    },
  }
}
