import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3'
import type { FileInfo, InventoryStore } from '@shuttersense/inventory-core'
import { runInventoryImport } from '@shuttersense/inventory-core/node'
import { createSqliteStore } from '@shuttersense/inventory-storage/sqlite'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createS3Source, listLive, validateInventoryAccess, type S3Source } from '../src/index.js'
import {
  generateInventory,
  latestFiles,
  md5Hex,
  rewriteManifest,
  type GeneratedInventory,
} from './helpers/inventory-fixture.js'
import { mockS3, networkError, s3Error, type MockS3Options } from './helpers/mock-s3.js'

const BUCKET = 'inventory-dest'
const KEY = 'reports/data/blob.bin'
const BLOB = randomBytes(10_000)

let mocked: ReturnType<typeof mockS3> | undefined

function setup(options: Partial<MockS3Options> = {}, objects = new Map<string, Uint8Array>([[KEY, BLOB]])) {
  mocked = mockS3({ bucket: BUCKET, objects, ...options })
  return mocked
}

function source(retries = 5): S3Source {
  return createS3Source({
    client: new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    retry: { retries, minTimeout: 1, maxTimeout: 4 },
  })
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of chunks) parts.push(chunk)
  return Buffer.concat(parts)
}

/**
 * A socket that sent 100 bytes and then went quiet: `controller` aborts once the reader has taken those
 * bytes, while it waits for more (an event, not a timer).
 */
function stalledBody(controller: AbortController): Readable {
  const stalled = new Readable({ read() {} })
  stalled.push(BLOB.subarray(0, 100))
  const read = stalled.read.bind(stalled)
  stalled.read = (size?: number) => {
    const chunk: unknown = read(size)
    if (chunk !== null) setImmediate(() => controller.abort())
    return chunk
  }
  return stalled
}

async function rejection(promise: Promise<unknown>): Promise<{ code?: string; byteOffset?: number }> {
  try {
    await promise
  } catch (error) {
    return error as { code?: string }
  }
  throw new Error('expected a rejection')
}

afterEach(() => {
  mocked?.mock.restore()
  mocked = undefined
})

describe('mock: retries', () => {
  it('retries 503 SlowDown twice, then succeeds', async () => {
    let failures = 0
    const { getInputs } = setup({ getFault: () => (failures++ < 2 ? s3Error('SlowDown', 503) : undefined) })
    const s3 = source()
    expect(await readAll(s3.streamObject(BUCKET, KEY))).toEqual(BLOB)
    expect(getInputs()).toHaveLength(3)
    expect(s3.requestCounts()).toEqual({ GetObject: 3 })
  })

  it('retries throttling and network errors of listings and small reads', async () => {
    const errors = [
      s3Error('ThrottlingException', 400),
      networkError('ETIMEDOUT'),
      Object.assign(new Error('t'), { name: 'TimeoutError' }),
    ]
    let listFaults = 0
    let getFaults = 0
    setup({
      listFault: (_input, _call, page) => errors[listFaults++] ?? page,
      getFault: () => (getFaults++ < 2 ? s3Error('InternalError', 500) : undefined),
    })
    const s3 = source()
    expect(await s3.listFolders(BUCKET, 'reports/')).toEqual(['reports/data/'])
    expect(await s3.readObject(BUCKET, KEY)).toEqual(BLOB)
    expect(s3.requestCounts()).toEqual({ ListObjectsV2: 4, GetObject: 3 })
  })

  it('gives up after the configured retries with SOURCE_ERROR', async () => {
    const { getInputs } = setup({ getFault: () => s3Error('ServiceUnavailable', 503) })
    expect((await rejection(readAll(source(2).streamObject(BUCKET, KEY)))).code).toBe('SOURCE_ERROR')
    expect(getInputs()).toHaveLength(3)
  })

  it('re-reads a small object whose body breaks', async () => {
    let broken = false
    const { getInputs } = setup({
      getFault: () => {
        if (broken) return undefined
        broken = true
        return { breakAfter: 100 }
      },
    })
    expect(await source().readObject(BUCKET, KEY)).toEqual(BLOB)
    expect(getInputs().map((input) => input.Range)).toEqual([undefined, undefined])
  })
})

describe('mock: resume', () => {
  it('resumes a broken body with Range from the last byte received, with If-Match', async () => {
    const breaks = [3000, 2000]
    const { getInputs } = setup({
      getFault: (_input, call) => (call < breaks.length ? { breakAfter: breaks[call]! } : undefined),
    })
    const s3 = source()
    const data = await readAll(s3.streamObject(BUCKET, KEY))
    expect(data.equals(BLOB)).toBe(true)
    const etag = `"${md5Hex(BLOB)}"`
    expect(getInputs().map((input) => [input.Range, input.IfMatch])).toEqual([
      [undefined, undefined],
      ['bytes=3000-', etag],
      ['bytes=5000-', etag],
    ])
    expect(s3.requestCounts()).toEqual({ GetObject: 3 })
  })

  it('resumes a body the server cut short without an error', async () => {
    // The first body ends early but cleanly (no error): only Content-Length tells it is short.
    setup({ getFault: (_input, call) => (call === 0 ? { breakAfter: 4096, clean: true } : undefined) })
    expect((await readAll(source().streamObject(BUCKET, KEY))).equals(BLOB)).toBe(true)
    expect(mocked!.getInputs().map((input) => input.Range)).toEqual([undefined, 'bytes=4096-'])
  })

  it('skips what was already handed out when the server ignores Range and resends the whole object', async () => {
    setup({
      getFault: (_input, call) => (call === 0 ? { breakAfter: 3000 } : call === 1 ? { ignoreRange: true } : undefined),
    })
    const data = await readAll(source().streamObject(BUCKET, KEY))
    expect(data.byteLength).toBe(BLOB.byteLength)
    expect(data.equals(BLOB)).toBe(true)
    expect(mocked!.getInputs().map((input) => input.Range)).toEqual([undefined, 'bytes=3000-'])
  })

  it('keeps resuming as long as every attempt makes progress, beyond the retry budget', async () => {
    // Five breaks in a row with retries: 2; each one after new bytes, so the budget starts afresh.
    setup({ getFault: (_input, call) => (call < 5 ? { breakAfter: 1000 } : undefined) })
    const s3 = source(2)
    expect((await readAll(s3.streamObject(BUCKET, KEY))).equals(BLOB)).toBe(true)
    expect(mocked!.getInputs().map((input) => input.Range)).toEqual([
      undefined,
      'bytes=1000-',
      'bytes=2000-',
      'bytes=3000-',
      'bytes=4000-',
      'bytes=5000-',
    ])
  })

  it('streams from a start offset', async () => {
    const { getInputs } = setup({
      getFault: (_input, call) => (call === 0 ? { breakAfter: 500 } : undefined),
    })
    const data = await readAll(source().streamObject(BUCKET, KEY, { start: 1000 }))
    expect(data.equals(BLOB.subarray(1000))).toBe(true)
    expect(getInputs().map((input) => input.Range)).toEqual(['bytes=1000-', 'bytes=1500-'])
  })

  it('fails with SOURCE_ERROR when the object changed between the parts', async () => {
    const objects = new Map<string, Uint8Array>([[KEY, BLOB]])
    setup({
      getFault: (_input, call) => {
        if (call === 0) {
          return { breakAfter: 1000 }
        }
        objects.set(KEY, randomBytes(10_000)) // overwritten meanwhile: If-Match fails
        return undefined
      },
    }, objects)
    const error = await rejection(readAll(source().streamObject(BUCKET, KEY)))
    expect(error.code).toBe('SOURCE_ERROR')
    expect(error.byteOffset).toBe(1000)
    expect(mocked!.getInputs()).toHaveLength(2)
  })

  it('gives up when the body keeps breaking without progress', async () => {
    setup({ getFault: (_input, call) => ({ breakAfter: call === 0 ? 10 : 0 }) })
    const error = await rejection(readAll(source(2).streamObject(BUCKET, KEY)))
    expect(error).toMatchObject({ code: 'SOURCE_ERROR', byteOffset: 10 })
    expect(mocked!.getInputs()).toHaveLength(3) // the first attempt and two retries
  })
})

describe('mock: permanent errors fail at once', () => {
  it('403 is ACCESS_DENIED after exactly one call', async () => {
    const { getInputs } = setup({ getFault: () => s3Error('AccessDenied', 403) })
    const s3 = source()
    expect((await rejection(readAll(s3.streamObject(BUCKET, KEY)))).code).toBe('ACCESS_DENIED')
    expect(getInputs()).toHaveLength(1)
    expect((await rejection(s3.readObject(BUCKET, KEY))).code).toBe('ACCESS_DENIED')
    expect(getInputs()).toHaveLength(2)
  })

  it('403 on a listing is ACCESS_DENIED after one call', async () => {
    const { listInputs } = setup({ listFault: () => s3Error('AccessDenied', 403) })
    expect((await rejection(source().listFolders(BUCKET, 'reports/'))).code).toBe('ACCESS_DENIED')
    expect(listInputs()).toHaveLength(1)
  })

  it('a missing key is NOT_FOUND for streams and undefined for small reads', async () => {
    const { getInputs } = setup()
    const s3 = source()
    expect((await rejection(readAll(s3.streamObject(BUCKET, 'nope')))).code).toBe('NOT_FOUND')
    expect(await s3.readObject(BUCKET, 'nope')).toBeUndefined()
    expect(getInputs()).toHaveLength(2)
  })

  it('a missing bucket is NOT_FOUND, also for small reads', async () => {
    setup()
    const s3 = source()
    expect((await rejection(s3.listFolders('other-bucket', ''))).code).toBe('NOT_FOUND')
    expect((await rejection(s3.readObject('other-bucket', KEY))).code).toBe('NOT_FOUND')
    expect(s3.requestCounts()).toEqual({ ListObjectsV2: 1, GetObject: 1 })
  })
})

describe('mock: listings', () => {
  const objects = new Map<string, Uint8Array>(
    Array.from({ length: 7 }, (_, i) => [`p/${i < 5 ? `f${i}/` : ''}k${i}`, Buffer.from(`object ${i}`)]),
  )

  it('reads every page of folders and of a live listing', async () => {
    const { listInputs } = setup({}, objects)
    const s3 = createS3Source({
      client: new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      pageSize: 2,
    })
    expect((await s3.listFolders(BUCKET, 'p/')).sort()).toEqual(['p/f0/', 'p/f1/', 'p/f2/', 'p/f3/', 'p/f4/'])
    expect(listInputs().map((input) => input.ContinuationToken)).toEqual([undefined, '2', '4', '6'])

    const batches: FileInfo[][] = []
    for await (const batch of s3.listLive(BUCKET, 'p/')) batches.push(batch)
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 2, 1])
    expect(batches.flat().map((file) => file.key)).toEqual([...objects.keys()].sort())
    expect(batches[0]![0]).toEqual({
      key: 'p/f0/k0',
      size: 8,
      lastModified: '2024-05-06T00:00:00.000Z',
      etag: md5Hex('object 0'),
      storageClass: 'STANDARD',
    })
    expect(s3.requestCounts()).toEqual({ ListObjectsV2: 8 })

    // The function form over the same source lists the same, and counts on the same source.
    const again: FileInfo[] = []
    for await (const batch of listLive(s3, BUCKET, 'p/')) again.push(...batch)
    expect(again).toEqual(batches.flat())
    expect(s3.requestCounts()).toEqual({ ListObjectsV2: 12 })
  })

  it('throws instead of looping when a truncated page repeats its continuation token', async () => {
    const { listInputs } = setup(
      { listFault: (_input, _call, page) => ({ ...page, IsTruncated: true, NextContinuationToken: 'same' }) },
      objects,
    )
    expect((await rejection(source().listFolders(BUCKET, 'p/'))).code).toBe('SOURCE_ERROR')
    expect(listInputs()).toHaveLength(2)
  })

  it('throws when a truncated page has no continuation token', async () => {
    const withoutToken = (page: ListObjectsV2CommandOutput): ListObjectsV2CommandOutput => ({
      ...page,
      IsTruncated: true,
      NextContinuationToken: undefined,
    })
    setup({ listFault: (_input, _call, page) => withoutToken(page) }, objects)
    const s3 = source()
    const error = await rejection((async () => {
      for await (const batch of listLive(s3, BUCKET, 'p/')) void batch
    })())
    expect(error.code).toBe('SOURCE_ERROR')
  })
})

describe('mock: cancellation', () => {
  it('an aborted signal stops a stream between chunks with ABORTED', async () => {
    setup()
    const controller = new AbortController()
    const chunks: Uint8Array[] = []
    const error = await rejection((async () => {
      for await (const chunk of source().streamObject(BUCKET, KEY, { signal: controller.signal })) {
        chunks.push(chunk)
        controller.abort()
      }
    })())
    expect(error.code).toBe('ABORTED')
    expect(chunks).toHaveLength(1)
  })

  it('aborting ends a read that waits on a stalled body', async () => {
    const controller = new AbortController()
    const stalled = stalledBody(controller)
    setup({ getFault: () => ({ body: stalled }) })
    const error = await rejection(readAll(source().streamObject(BUCKET, KEY, { signal: controller.signal })))
    expect(error.code).toBe('ABORTED')
    expect(stalled.destroyed).toBe(true)
  })

  it('aborting ends a small-object read (a manifest) that waits on a stalled body', async () => {
    const controller = new AbortController()
    const stalled = stalledBody(controller)
    setup({ getFault: () => ({ body: stalled }) })
    const error = await rejection(source().readObject(BUCKET, KEY, { signal: controller.signal }))
    expect(error.code).toBe('ABORTED')
    expect(stalled.destroyed).toBe(true)
  })

  it('aborting during a backoff wait ends it at once', async () => {
    const controller = new AbortController()
    // The first attempt is answered 503, and the abort comes once the source has it: during the wait.
    const { getInputs } = setup({
      getFault: () => {
        setImmediate(() => controller.abort())
        return s3Error('SlowDown', 503)
      },
    })
    const s3 = createS3Source({
      client: new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
      retry: { minTimeout: 60_000, randomize: false },
    })
    const started = Date.now()
    expect((await rejection(s3.readObject(BUCKET, KEY, { signal: controller.signal }))).code).toBe('ABORTED')
    expect(Date.now() - started).toBeLessThan(5_000) // the wait is 60 s
    expect(getInputs()).toHaveLength(1)
  })
})

describe('mock: the import pipeline', () => {
  let inventory: GeneratedInventory
  let store: InventoryStore

  beforeEach(async () => {
    inventory = generateInventory({ dataFileCount: 3 })
    store = createSqliteStore({ filename: ':memory:' })
    await store.migrate()
  })

  afterEach(async () => {
    await store.close()
  })

  async function importWith(options: Partial<MockS3Options> = {}, signal?: AbortSignal, concurrency?: number) {
    setup(options, inventory.objects)
    const connector = await store.createConnector({ name: 'photos', location: inventory.location })
    const [collection] = await store.createCollections(connector.id, [
      { name: 'Wedding', folderPath: '2021/Wedding/' },
    ])
    const s3 = source(3)
    const run = runInventoryImport({ source: s3, store, connectorId: connector.id, signal, concurrency })
    return { run, collection: collection!, s3, connectorId: connector.id }
  }

  async function fileInfo(collectionId: string): Promise<FileInfo[]> {
    const files: FileInfo[] = []
    for await (const batch of store.readFileInfo(collectionId)) files.push(...batch)
    return files
  }

  it('imports through throttling and a data file that breaks mid-way', async () => {
    const dataKey = inventory.dataFileKeys[1]!
    let dataCalls = 0
    let slowDowns = 0
    const { run, collection, s3 } = await importWith({
      getFault: (input) => {
        if (input.Key === inventory.latestManifestKey && slowDowns++ < 2) return s3Error('SlowDown', 503)
        if (input.Key === dataKey && dataCalls++ === 0) return { breakAfter: 40 }
        return undefined
      },
    })
    const result = await run
    expect(result.summary.objectCount).toBe(inventory.sourceObjects.length)
    const wedding = inventory.sourceObjects.filter((o) => o.key.startsWith('2021/Wedding/'))
    expect(await fileInfo(collection.id)).toEqual(wedding)
    const ranged = mocked!.getInputs().filter((input) => input.Key === dataKey)
    expect(ranged.map((input) => input.Range)).toEqual([undefined, 'bytes=40-'])
    // 1 missing newest manifest + 2 throttled + manifest + checksum + 3 data files + 1 resume.
    expect(s3.requestCounts()).toEqual({ ListObjectsV2: 1, GetObject: 9 })
  })

  it('fails with CHECKSUM_MISMATCH when a data file does not match its MD5', async () => {
    const files = latestFiles(inventory)
    rewriteManifest(
      inventory,
      files.map((file, i) => (i === 1 ? { ...file, MD5checksum: md5Hex('other') } : file)),
    )
    const { run } = await importWith()
    expect((await rejection(run)).code).toBe('CHECKSUM_MISMATCH')
  })

  it('checks the MD5 across a resumed body: a wrong byte in the resumed part is CHECKSUM_MISMATCH', async () => {
    // The resumed part carries a different gzip MTIME (header bytes 4-7): gunzip cannot notice that (the
    // gzip CRC covers the content only), so only an MD5 over first part + resumed part catches it.
    const dataKey = inventory.dataFileKeys[0]!
    const original = inventory.objects.get(dataKey)!
    const tampered = Buffer.from(original)
    tampered[5] = tampered[5]! ^ 0xff
    async function* from(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
      yield bytes
    }
    let calls = 0
    const { run } = await importWith({
      getFault: (input) => {
        if (input.Key !== dataKey) return undefined
        calls++
        if (calls === 1) return { breakAfter: 2 }
        return { body: from(tampered.subarray(2)) }
      },
    })
    const error = await rejection(run)
    expect(error.code).toBe('CHECKSUM_MISMATCH')
    expect(mocked!.getInputs().filter((input) => input.Key === dataKey).map((input) => input.Range)).toEqual([
      undefined,
      'bytes=2-',
    ])
  })

  it('fails with CHECKSUM_MISMATCH when manifest.checksum does not match', async () => {
    const checksumKey = inventory.latestManifestKey.replace(/manifest\.json$/, 'manifest.checksum')
    inventory.objects.set(checksumKey, Buffer.from(`${md5Hex('something else')}\n`))
    const { run } = await importWith()
    expect((await rejection(run)).code).toBe('CHECKSUM_MISMATCH')
  })

  it('imports an inventory without data files as zero objects', async () => {
    rewriteManifest(inventory, [])
    const { run, collection, s3 } = await importWith()
    const result = await run
    expect(result.session.status).toBe('completed')
    expect(result.summary).toMatchObject({ objectCount: 0, dataFiles: 0, folderCount: 0 })
    expect(await fileInfo(collection.id)).toEqual([])
    expect(s3.requestCounts()).toEqual({ ListObjectsV2: 1, GetObject: 3 })
  })

  it('fails with DATA_FILE_MISSING when a listed data file is gone', async () => {
    inventory.objects.delete(inventory.dataFileKeys[2]!)
    const { run } = await importWith()
    expect((await rejection(run)).code).toBe('DATA_FILE_MISSING')
  })

  it('fails with ACCESS_DENIED when a data file may not be read', async () => {
    const denied = inventory.dataFileKeys[0]
    const { run } = await importWith({
      getFault: (input) => (input.Key === denied ? s3Error('AccessDenied', 403) : undefined),
    })
    expect((await rejection(run)).code).toBe('ACCESS_DENIED')
  })

  // Each data file's body is slow, and the later files finish first: how many are read at once is
  // what the pipeline allows, and the result does not depend on the order they finish in.
  it.each([
    [1, 1],
    [3, 3],
    [undefined, 2],
  ])('reads at most concurrency=%s data files at once (%i here), with the same result', async (concurrency, peak) => {
    let open = 0
    let seen = 0
    async function* slowBody(bytes: Uint8Array, delayMs: number): AsyncGenerator<Uint8Array> {
      open++
      seen = Math.max(seen, open)
      try {
        for (let at = 0; at < bytes.byteLength; at += 32) {
          await new Promise((resolve) => setTimeout(resolve, delayMs))
          yield bytes.subarray(at, at + 32)
        }
      } finally {
        open--
      }
    }
    const keys = inventory.dataFileKeys
    const { run, collection } = await importWith(
      {
        getFault: (input) => {
          const index = keys.indexOf(input.Key!)
          if (index < 0) return undefined
          return { body: slowBody(inventory.objects.get(input.Key!)!, 3 * (keys.length - index)) }
        },
      },
      undefined,
      concurrency,
    )
    const result = await run
    expect(seen).toBe(peak)
    expect(result.summary.objectCount).toBe(inventory.sourceObjects.length)
    const wedding = inventory.sourceObjects.filter((o) => o.key.startsWith('2021/Wedding/'))
    expect(await fileInfo(collection.id)).toEqual(wedding)
    const { folders } = await store.listFolders(result.session.connectorId)
    expect(folders.find((folder) => folder.path === '2021/')?.objectCount).toBe(
      inventory.sourceObjects.filter((o) => o.key.startsWith('2021/')).length,
    )
  })

  it('stops with ABORTED when the signal fires', async () => {
    const controller = new AbortController()
    const { run, connectorId } = await importWith(
      {
        getFault: (input) => {
          if (input.Key === inventory.dataFileKeys[0]) controller.abort()
          return undefined
        },
      },
      controller.signal,
    )
    expect((await rejection(run)).code).toBe('ABORTED')
    // An aborted import stays resumable, not failed.
    const [session] = await store.listImportSessions(connectorId)
    expect(session?.status).toBe('running')
  })
})

describe('mock: validateInventoryAccess', () => {
  let inventory: GeneratedInventory

  beforeEach(() => {
    inventory = generateInventory({ dataFileCount: 2 })
  })

  it('names s3:GetObject when the listing works but the manifest may not be read', async () => {
    setup({ getFault: () => s3Error('AccessDenied', 403) }, inventory.objects)
    const result = await validateInventoryAccess(source(), inventory.location)
    expect(result).toMatchObject({
      ok: false,
      problem: 'access_denied',
      code: 'ACCESS_DENIED',
      permission: 's3:GetObject',
    })
    expect(mocked!.getInputs()).toHaveLength(1)
  })

  it('names s3:ListBucket when the listing is refused', async () => {
    setup({ listFault: () => s3Error('AccessDenied', 403) }, inventory.objects)
    const result = await validateInventoryAccess(source(), inventory.location)
    expect(result).toMatchObject({ ok: false, problem: 'access_denied', permission: 's3:ListBucket' })
  })

  it('says the newest manifest fails its checksum', async () => {
    const checksumKey = inventory.latestManifestKey.replace(/manifest\.json$/, 'manifest.checksum')
    inventory.objects.set(checksumKey, Buffer.from(`${md5Hex('tampered')}\n`))
    setup({}, inventory.objects)
    const result = await validateInventoryAccess(source(), inventory.location)
    expect(result).toMatchObject({ ok: false, problem: 'manifest_invalid', code: 'CHECKSUM_MISMATCH' })
  })

  it('says the bucket is in another region', async () => {
    setup({ listFault: () => s3Error('PermanentRedirect', 301) }, inventory.objects)
    const result = await validateInventoryAccess(source(), inventory.location)
    expect(result).toMatchObject({ ok: false, problem: 'wrong_region' })
  })

  it('retries a throttled listing before answering', async () => {
    let throttled = 0
    setup({ listFault: (_input, _call, page) => (throttled++ < 2 ? s3Error('SlowDown', 503) : page) }, inventory.objects)
    const s3 = source()
    const result = await validateInventoryAccess(s3, inventory.location)
    expect(result).toMatchObject({ ok: true, latest: { timestamp: inventory.latestTimestamp, dataFiles: 2 } })
    expect(s3.requestCounts().ListObjectsV2).toBe(3)
  })
})
