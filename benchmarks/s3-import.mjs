// S3 source benchmark: import of an N-object inventory from s3rver through the real AWS SDK, beside a
// ListObjectsV2 scan of the same N objects on the same server. Prints one JSON document.
//
//   npm run build && node benchmarks/s3-import.mjs [--objects 1000000] [--list-objects N]
//                               [--http-puts 10000] [--concurrency 2] [--put-concurrency 16] [--keep]
//
// 1. `shuttersense-inventory generate --objects N` writes an inventory in AWS's layout (CLI generator).
// 2. s3rver runs in its own process (packages/s3-source/test/helpers/s3rver-server.mjs) in a temp dir;
//    the inventory is uploaded to bucket `inventory-dest` under `reports/`.
// 3. (a) `shuttersense-inventory import --from s3://inventory-dest/reports --endpoint …` (phase A into
//    SQLite): wall time, request counts by type, the CLI's cost figures.
// 4. (b) The source objects (the inventory's keys, zero bytes each) go into bucket `photos`, and the
//    bucket is listed with `listLive` (paginated ListObjectsV2, 1000 keys per page), once after the
//    first --http-puts keys and once after all of them.
//
// Seeding the source bucket: s3rver writes three files per PutObject and manages about 250 PUTs/s on
// this 2-core machine, so 1M PutObjects would take over an hour. The first --http-puts keys go through
// PutObject (their rate is reported); the rest are written straight into s3rver's store directory in
// the layout its PutObject produces (`<key>._S3rver_object`, `.md5`, `_S3rver_metadata.json`, the
// metadata copied from an object put over HTTP). Only the seeding takes that shortcut: the listing is
// real ListObjectsV2 over HTTP through the SDK, and the benchmark fails unless it returns every key.
// With --list-objects below N the listing side is measured on fewer keys and scaled to N linearly
// (marked `extrapolated` in the JSON).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createReadStream, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import * as path from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createGunzip } from 'node:zlib'
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { createS3Source } from '@shuttersense/inventory-s3'

const ROOT = path.resolve(import.meta.dirname, '..')
const CLI = path.join(ROOT, 'packages/cli/dist/bin.js')
const S3RVER = path.join(ROOT, 'packages/s3-source/test/helpers/s3rver-server.mjs')
const DEST_BUCKET = 'inventory-dest'
const PREFIX = 'reports'
const SOURCE_BUCKET = 'photos'
const CONFIG = 'daily'
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
const ENV = {
  ...process.env,
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
}
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '1000000' },
    'list-objects': { type: 'string' },
    'http-puts': { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '2' },
    'put-concurrency': { type: 'string', default: '16' },
    keep: { type: 'boolean', default: false },
  },
})
const objects = Number(args.objects)
const listObjects = Math.min(objects, Number(args['list-objects'] ?? objects))
const httpPuts = Math.min(listObjects, Number(args['http-puts']))
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e'
const log = (message) => process.stderr.write(`[s3-import] ${message}\n`)
const seconds = (since) => Number(((performance.now() - since) / 1000).toFixed(2))

/** Runs a node script to the end; resolves to its stdout, rejects on a non-zero exit. */
async function run(script, argv) {
  const child = spawn(process.execPath, [script, ...argv], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const [code] = await once(child, 'exit')
  if (code !== 0) throw new Error(`${path.basename(script)} ${argv.join(' ')} exited ${code}: ${stderr}`)
  return stdout
}

async function startS3rver(directory) {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', S3RVER, directory], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const [line] = await once(createInterface({ input: child.stdout }), 'line')
  return { child, endpoint: `http://127.0.0.1:${JSON.parse(line).port}` }
}

function filesUnder(root) {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
}

/** Runs `task(item)` over `items` with at most `limit` at once. */
async function pool(items, limit, task) {
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await task(items[i], i)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** The first `limit` keys of the inventory's data files (the Key column, URL-decoded). */
async function inventoryKeys(dataFiles, limit) {
  const keys = []
  for (const file of dataFiles) {
    const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity })
    for await (const line of lines) {
      // "bucket","key",… with every field quoted; keys are form-URL-encoded, so they hold no quote.
      const start = line.indexOf('","') + 3
      const key = line.slice(start, line.indexOf('"', start))
      keys.push(decodeURIComponent(key.replaceAll('+', ' ')))
      if (keys.length >= limit) {
        lines.close()
        return keys
      }
    }
  }
  return keys
}

/**
 * Writes objects into s3rver's store directory as its PutObject does (see the header): the object file,
 * its MD5 and the metadata JSON of an object that was put over HTTP.
 */
async function seedOnDisk(storeDir, bucket, keys, metadataJson) {
  const dirs = new Set()
  await pool(keys, 64, async (key) => {
    const parts = key.split('/')
    const name = parts.pop()
    const dir = path.join(storeDir, bucket, ...parts)
    if (!dirs.has(dir)) {
      await mkdir(dir, { recursive: true })
      dirs.add(dir)
    }
    const base = path.join(dir, `${name}._S3rver_`)
    await writeFile(`${base}object`, '')
    await writeFile(`${base}object.md5`, EMPTY_MD5)
    await writeFile(`${base}metadata.json`, metadataJson)
  })
}

async function listScan(endpoint) {
  const source = createS3Source({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: CREDENTIALS })
  const started = performance.now()
  let listed = 0
  for await (const batch of source.listLive(SOURCE_BUCKET, '')) listed += batch.length
  const time = seconds(started)
  const requests = source.requestCounts().ListObjectsV2 ?? 0
  source.destroy()
  return { objects: listed, requests, seconds: time, msPerRequest: Number(((time * 1000) / requests).toFixed(1)) }
}

const startLoad = loadavg().map((n) => Number(n.toFixed(2)))
const work = await mkdtemp(path.join(tmpdir(), 's3-bench-'))
let server
try {
  readFileSync(CLI) // fails early with ENOENT when the packages were not built
  const inventory = path.join(work, 'inventory')
  log(`generating a ${objects.toLocaleString('en-US')}-object inventory`)
  let started = performance.now()
  const generated = JSON.parse(
    await run(CLI, ['generate', '--objects', String(objects), '--out', inventory, '--source-bucket', SOURCE_BUCKET,
      '--config', CONFIG, '--prefix', PREFIX, '--json']),
  )
  const generateSeconds = seconds(started)

  server = await startS3rver(path.join(work, 's3rver'))
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  })
  await client.send(new CreateBucketCommand({ Bucket: DEST_BUCKET }))
  await client.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }))
  log('uploading the inventory')
  started = performance.now()
  const inventoryFiles = filesUnder(inventory)
  for (const file of inventoryFiles) {
    const key = path.relative(inventory, file).split(path.sep).join('/')
    await client.send(new PutObjectCommand({ Bucket: DEST_BUCKET, Key: key, Body: readFileSync(file) }))
  }
  const uploadSeconds = seconds(started)

  // (a) The inventory import through the S3 source, phase A into SQLite, as a user runs it.
  log('importing through the S3 source (CLI)')
  started = performance.now()
  const imported = JSON.parse(
    await run(CLI, ['import', '--from', `s3://${DEST_BUCKET}/${PREFIX}`, '--endpoint', server.endpoint,
      '--source-bucket', SOURCE_BUCKET, '--config', CONFIG, '--db', path.join(work, 'bench.db'),
      '--concurrency', args.concurrency, '--json']),
  )
  const importWall = seconds(started)
  const requests = imported.summary.requests
  const importRequests = Object.values(requests).reduce((sum, n) => sum + n, 0)

  // (b) The source objects, put into s3rver, then listed with paginated ListObjectsV2.
  const dataFiles = inventoryFiles.filter((file) => file.endsWith('.csv.gz'))
  const keys = await inventoryKeys(dataFiles, listObjects)
  const storeDir = path.join(work, 's3rver')
  const scans = []
  log(`putting ${httpPuts.toLocaleString('en-US')} source objects with PutObject`)
  started = performance.now()
  await pool(keys.slice(0, httpPuts), Number(args['put-concurrency']), (key) =>
    client.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: new Uint8Array(0) })),
  )
  const putSeconds = seconds(started)
  log(`listing ${httpPuts.toLocaleString('en-US')} objects with ListObjectsV2`)
  scans.push(await listScan(server.endpoint))
  let seedSeconds = 0
  if (keys.length > httpPuts) {
    const first = keys[0].split('/')
    const metadataJson = readFileSync(
      path.join(storeDir, SOURCE_BUCKET, ...first.slice(0, -1), `${first.at(-1)}._S3rver_metadata.json`),
    )
    log(`seeding ${(keys.length - httpPuts).toLocaleString('en-US')} more into s3rver's store directory`)
    started = performance.now()
    await seedOnDisk(storeDir, SOURCE_BUCKET, keys.slice(httpPuts), metadataJson)
    seedSeconds = seconds(started)
    log(`listing ${keys.length.toLocaleString('en-US')} objects with ListObjectsV2`)
    scans.push(await listScan(server.endpoint))
  }
  client.destroy()
  if (scans.at(-1).objects !== keys.length) {
    throw new Error(`the listing returned ${scans.at(-1).objects} objects, not ${keys.length}`)
  }

  const last = scans.at(-1)
  const fullRequests = Math.max(1, Math.ceil(objects / 1000))
  const listSide =
    last.objects >= objects
      ? { objects: last.objects, requests: last.requests, seconds: last.seconds, extrapolated: false }
      : {
          objects,
          requests: fullRequests,
          seconds: Number(((fullRequests * last.msPerRequest) / 1000).toFixed(1)),
          extrapolated: true,
          from: `${last.objects} objects listed in ${last.requests} requests, ${last.msPerRequest} ms per request`,
        }

  const result = {
    benchmark: 's3-import',
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    loadAverage: { atStart: startLoad, atEnd: loadavg().map((n) => Number(n.toFixed(2))) },
    command: `node benchmarks/s3-import.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    inventory: {
      objects: generated.objects,
      dataFiles: imported.summary.dataFiles,
      compressedBytes: imported.summary.compressedBytes,
      generateSeconds,
      uploadSeconds,
    },
    import: {
      concurrency: Number(args.concurrency),
      wallSeconds: importWall,
      cliSeconds: imported.seconds,
      objectCount: imported.summary.objectCount,
      folderCount: imported.summary.folderCount,
      requests,
      requestsTotal: importRequests,
      cost: imported.cost,
    },
    listObjectsV2: {
      putObjects: httpPuts,
      putSeconds,
      putsPerSecond: Math.round(httpPuts / putSeconds),
      seededOnDisk: keys.length - httpPuts,
      seedSeconds,
      scans,
      [`at${objects}`]: listSide,
    },
    requestsSaved: {
      listObjectsV2: listSide.requests,
      inventory: importRequests,
      saved: listSide.requests - importRequests,
      savedPercent: Number((((listSide.requests - importRequests) / listSide.requests) * 100).toFixed(2)),
      timeRatio: Number((listSide.seconds / importWall).toFixed(1)),
    },
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
} finally {
  if (server) {
    server.child.kill('SIGTERM')
    await once(server.child, 'exit')
  }
  if (args.keep) log(`kept ${work}`)
  else await rm(work, { recursive: true, force: true })
}
