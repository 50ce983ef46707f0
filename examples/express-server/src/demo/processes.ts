/**
 * The processes of a ShutterSense installation, started as children: s3rver (a local S3), the server and
 * agents. `npm run demo`, `npm start` and the end-to-end tests use them; each talks to the others only
 * through its port, as on separate machines.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import type { FileInfo } from '@shuttersense/inventory-core'

/** The build's directory: this module runs from `src/demo/` (tests), `dist/demo/` or a chunk in `dist/`. */
const DIST =
  ['./', '../', '../../dist/'].map((candidate) => fileURLToPath(new URL(candidate, import.meta.url))).find((dir) => existsSync(path.join(dir, 'main.js'))) ??
  fileURLToPath(new URL('../../dist/', import.meta.url))
export const SERVER_SCRIPT = path.join(DIST, 'main.js')
export const AGENT_SCRIPT = path.join(DIST, 'agent', 'main.js')

/** A child process, with what it printed so far. */
export interface Child {
  readonly process: ChildProcess
  /** Everything written to stdout and stderr. */
  output(): string
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>
  /** SIGKILL: no chance to clean up. */
  kill(): Promise<void>
}

function child(process_: ChildProcess): Child {
  let output = ''
  process_.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  process_.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const exited = once(process_, 'exit')
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (process_.exitCode === null && process_.signalCode === null) {
      process_.kill(signal)
      await exited
    }
  }
  return { process: process_, output: () => output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') }
}

/** Waits until the child prints a line matching `pattern`; fails if it exits first. */
async function lineMatching(process_: ChildProcess, pattern: RegExp, what: string, output: () => string): Promise<RegExpMatchArray> {
  const lines = createInterface({ input: process_.stdout! })
  try {
    return await new Promise<RegExpMatchArray>((resolve, reject) => {
      lines.on('line', (line) => {
        const match = pattern.exec(line)
        if (match) resolve(match)
      })
      process_.once('exit', (code) => reject(new Error(`${what} exited with ${String(code)} before starting:\n${output()}`)))
    })
  } finally {
    lines.close()
  }
}

// s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 offers only through
// its legacy provider: without it, every listing of more than 1,000 keys fails.
const S3RVER_MAIN = `
import S3rver from 's3rver'
const server = new S3rver({ address: '127.0.0.1', port: 0, directory: process.argv[1], silent: true })
const address = await server.run()
console.log(JSON.stringify({ port: address.port }))
const stop = async () => { await server.close(); process.exit(0) }
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
process.stdin.resume()
process.stdin.once('end', stop)
`

/** A local S3 on 127.0.0.1 (ephemeral port), with a client for it. */
export interface S3Server {
  endpoint: string
  client: S3Client
  /** What an S3 client needs to reach it (s3rver accepts any key pair). */
  credentials: { accessKeyId: string; secretAccessKey: string; region: string; endpoint: string; forcePathStyle: true }
  createBucket(bucket: string): Promise<void>
  /** Uploads every file under `directory`, keyed by its path relative to it. */
  uploadDirectory(bucket: string, directory: string, options?: { newerThan?: number }): Promise<number>
  /**
   * Puts objects with the given sizes, ETags and dates into an existing bucket, straight into s3rver's
   * directory (sparse files of zeros): a listing answers exactly what an inventory says, without sending
   * tens of thousands of uploads of tens of megabytes each. Returns how many it wrote.
   */
  writeObjects(bucket: string, objects: AsyncIterable<{ files: FileInfo[] }> | Iterable<{ files: FileInfo[] }>): Promise<number>
  stop(): Promise<void>
}

export async function startS3Server(): Promise<S3Server> {
  const directory = await mkdtemp(path.join(tmpdir(), 'shuttersense-s3rver-'))
  const cwd = fileURLToPath(new URL('.', import.meta.url))
  const process_ = spawn(process.execPath, ['--openssl-legacy-provider', '--input-type=module', '-e', S3RVER_MAIN, directory], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const handle = child(process_)
  const [, port] = await lineMatching(process_, /^\{"port":(\d+)\}$/, 's3rver', handle.output)
  const endpoint = `http://127.0.0.1:${port}`
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1', endpoint, forcePathStyle: true as const }
  const client = new S3Client({
    endpoint,
    region: credentials.region,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
  return {
    endpoint,
    client,
    credentials,
    async createBucket(bucket) {
      await client.send(new CreateBucketCommand({ Bucket: bucket }))
    },
    async uploadDirectory(bucket, root, options = {}) {
      let count = 0
      const walk = async (dir: string): Promise<void> => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name)
          if (entry.isDirectory()) await walk(full)
          else if (statSync(full).mtimeMs > (options.newerThan ?? -1)) {
            const key = path.relative(root, full).split(path.sep).join('/')
            await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(full) }))
            count++
          }
        }
      }
      await walk(root)
      return count
    },
    async writeObjects(bucket, objects) {
      let count = 0
      const folders = new Map<string, Promise<unknown>>()
      for await (const { files } of objects) {
        await Promise.all(
          files.map(async (file) => {
            // s3rver 3.7's filesystem store: `<bucket>/<key>._S3rver_object`, its MD5 (the ETag) beside it in
            // `….md5`, the last-modified from the file's mtime and the size from its length.
            const slash = file.key.lastIndexOf('/')
            const dir = path.join(directory, bucket, file.key.slice(0, slash + 1))
            const object = path.join(dir, `${file.key.slice(slash + 1)}._S3rver_object`)
            // A key with `..` segments must not write outside the bucket's directory.
            if (!path.resolve(object).startsWith(path.resolve(directory, bucket) + path.sep)) throw new Error(`object key ${JSON.stringify(file.key)} leaves the bucket's directory`)
            if (!folders.has(dir)) folders.set(dir, mkdir(dir, { recursive: true }))
            await folders.get(dir)
            await writeFile(object, '')
            await truncate(object, file.size)
            await writeFile(`${object}.md5`, file.etag.replace(/^"|"$/g, ''))
            const at = new Date(file.lastModified)
            await utimes(object, at, at)
          }),
        )
        count += files.length
      }
      return count
    },
    async stop() {
      client.destroy()
      await handle.stop()
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/** The server, listening on an ephemeral port of 127.0.0.1. */
export interface ServerProcess extends Child {
  url: string
}

/** Starts `npm run server`'s build with `env` on 127.0.0.1, on an ephemeral port unless `env.PORT` says one. */
export async function startServerProcess(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess> {
  const process_ = spawn(process.execPath, [SERVER_SCRIPT, ...args], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const handle = child(process_)
  const [, url] = await lineMatching(process_, /server on (http:\/\/\S+?) /, 'the server', handle.output)
  return { ...handle, url: url! }
}

/** Starts an agent (the build of `npm run agent`, node flags included) against `serverUrl`. */
export function startAgentProcess(serverUrl: string, env: NodeJS.ProcessEnv): Child {
  return child(
    spawn(process.execPath, ['--max-semi-space-size=8', AGENT_SCRIPT], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, SHUTTERSENSE_SERVER_URL: serverUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  )
}
