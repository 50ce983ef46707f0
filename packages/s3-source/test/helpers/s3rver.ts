import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'

/** The script that runs s3rver in a child process (see its header for why). */
export const S3RVER_SERVER_SCRIPT = join(import.meta.dirname, 's3rver-server.mjs')

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

/** Starts s3rver in a child process on 127.0.0.1, on a random port, storing into a fresh temp directory. */
export async function startS3rver(): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'))
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', S3RVER_SERVER_SCRIPT, directory],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const exited = once(child, 'exit')
  const lines = createInterface({ input: child.stdout! })
  const port = await Promise.race([
    once(lines, 'line').then(([line]) => (JSON.parse(String(line)) as { port: number }).port),
    exited.then(([code]) => {
      throw new Error(`s3rver exited with ${String(code)} before listening`)
    }),
  ])
  lines.close()
  const endpoint = `http://127.0.0.1:${port}`
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
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await exited
      }
      await rm(directory, { recursive: true, force: true })
    },
  }
}
