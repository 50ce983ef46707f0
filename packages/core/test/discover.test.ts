import { Volume, createFsFromVolume } from 'memfs'
import { describe, expect, it } from 'vitest'
import { MAX_MANIFEST_BYTES, findLatestInventory } from '../src/discover.js'
import { md5Hex } from '../src/manifest/checksum.js'
import { type LocalFs, createLocalDirectorySource } from '../src/node/local-directory-source.js'
import type { InventoryLocation } from '../src/types.js'
import { MemorySource, awsFixture, expectCode } from './helpers.js'

const LOCATION: InventoryLocation = {
  destinationBucket: 'reports',
  destinationPrefix: 'inv',
  sourceBucket: 'photos',
  configName: 'daily',
}
const PREFIX = 'inv/photos/daily/'

function manifestText(creationTimestamp: string, key = 'a.csv.gz'): string {
  return JSON.stringify({
    sourceBucket: 'photos',
    destinationBucket: 'arn:aws:s3:::reports',
    version: '2016-11-30',
    creationTimestamp,
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key, Size, LastModifiedDate',
    files: [{ key: `${PREFIX}data/${key}`, size: 1, MD5checksum: 'c473bcc2407d0a5cec5229b21d967e59' }],
  })
}

/** The objects of one complete report in a timestamp folder. */
function report(folder: string, manifest = manifestText(String(Date.parse(`${folder.slice(0, 13)}:00:00Z`)))) {
  return {
    [`${PREFIX}${folder}/manifest.json`]: manifest,
    [`${PREFIX}${folder}/manifest.checksum`]: `${md5Hex(Buffer.from(manifest))}\n`,
  }
}

describe('findLatestInventory', () => {
  it('picks the newest complete report and lists every report time', async () => {
    const source = new MemorySource({
      ...report('2024-05-05T01-00Z'),
      ...report('2024-05-07T01-00Z'),
      ...report('2024-05-06T01-00Z'),
      [`${PREFIX}data/a.csv.gz`]: 'x',
      [`${PREFIX}hive/dt=2024-05-07-01-00/symlink.txt`]: 'x',
    })
    const found = await findLatestInventory(source, LOCATION)
    expect(found.folder).toEqual({
      name: '2024-05-07T01-00Z',
      prefix: `${PREFIX}2024-05-07T01-00Z/`,
      at: new Date('2024-05-07T01:00:00Z'),
    })
    expect(found.manifestKey).toBe(`${PREFIX}2024-05-07T01-00Z/manifest.json`)
    expect(found.manifest.creationTimestamp).toBe(String(Date.parse('2024-05-07T01:00:00Z')))
    expect(found.reportTimes.map((date) => date.toISOString())).toEqual([
      '2024-05-07T01:00:00.000Z',
      '2024-05-06T01:00:00.000Z',
      '2024-05-05T01:00:00.000Z',
    ])
    expect(found.skipped).toEqual([])
    expect(source.calls[0]).toBe(`list reports ${PREFIX}`)
  })

  it('reads only the newest report when it is complete', async () => {
    const source = new MemorySource({ ...report('2024-05-06T01-00Z'), ...report('2024-05-07T01-00Z') })
    await findLatestInventory(source, LOCATION)
    expect(source.calls.filter((call) => call.startsWith('read'))).toEqual([
      `read reports ${PREFIX}2024-05-07T01-00Z/manifest.json`,
      `read reports ${PREFIX}2024-05-07T01-00Z/manifest.checksum`,
    ])
  })

  it('skips newer folders still being written (no manifest.json or no manifest.checksum)', async () => {
    const newest = report('2024-05-09T01-00Z')
    const source = new MemorySource({
      ...report('2024-05-07T01-00Z'),
      [`${PREFIX}2024-05-08T01-00Z/data-only.txt`]: 'x',
      [`${PREFIX}2024-05-09T01-00Z/manifest.json`]: newest[`${PREFIX}2024-05-09T01-00Z/manifest.json`]!,
    })
    const found = await findLatestInventory(source, LOCATION)
    expect(found.folder.name).toBe('2024-05-07T01-00Z')
    expect(found.skipped).toEqual([
      { folder: '2024-05-09T01-00Z', reason: 'no manifest.checksum' },
      { folder: '2024-05-08T01-00Z', reason: 'no manifest.json' },
    ])
    expect(found.reportTimes).toHaveLength(3)
  })

  it('sorts folders by instant, not by the order the source lists them', async () => {
    const source = new MemorySource({ ...report('2023-12-31T23-59Z'), ...report('2024-01-01T00-00Z') })
    source.listFolders = async () => [`${PREFIX}2024-01-01T00-00Z/`, `${PREFIX}2023-12-31T23-59Z/`].reverse()
    expect((await findLatestInventory(source, LOCATION)).folder.name).toBe('2024-01-01T00-00Z')
  })

  it('throws CHECKSUM_MISMATCH for a newest report whose checksum does not match (no fallback)', async () => {
    const good = report('2024-05-07T01-00Z')
    const source = new MemorySource({
      ...report('2024-05-06T01-00Z'),
      ...good,
      [`${PREFIX}2024-05-07T01-00Z/manifest.checksum`]: `${'0'.repeat(32)}\n`,
    })
    const error = await expectCode(() => findLatestInventory(source, LOCATION), 'CHECKSUM_MISMATCH')
    expect(error.file).toBe(`${PREFIX}2024-05-07T01-00Z/manifest.json`)
    expect(error.message).toContain(`${PREFIX}2024-05-07T01-00Z/manifest.json`)
  })

  it('throws MANIFEST_INVALID for a checksum file that holds no MD5', async () => {
    const source = new MemorySource({
      ...report('2024-05-07T01-00Z'),
      [`${PREFIX}2024-05-07T01-00Z/manifest.checksum`]: 'garbage',
    })
    const error = await expectCode(() => findLatestInventory(source, LOCATION), 'MANIFEST_INVALID')
    expect(error.file).toBe(`${PREFIX}2024-05-07T01-00Z/manifest.checksum`)
  })

  it('throws MANIFEST_INVALID for a manifest larger than any real one, reading no more than the cap', async () => {
    const root = '/dest'
    const huge = `{"pad":"${'x'.repeat(MAX_MANIFEST_BYTES)}"}`
    const folder = `${root}/${PREFIX}2024-05-07T01-00Z`
    const volume = Volume.fromJSON({ [`${folder}/manifest.json`]: huge, [`${folder}/manifest.checksum`]: `${md5Hex(Buffer.from(huge))}\n` })
    const fs = createFsFromVolume(volume) as unknown as LocalFs
    let readBytes = 0
    const counting: LocalFs = {
      promises: fs.promises,
      createReadStream: (file, options) =>
        (async function* () {
          for await (const chunk of fs.createReadStream(file, options)) {
            readBytes += chunk.length
            yield chunk
          }
        })(),
    }
    const source = createLocalDirectorySource(root, { fs: counting })
    const error = await expectCode(() => findLatestInventory(source, LOCATION), 'MANIFEST_INVALID')
    expect(error.file).toBe(`${PREFIX}2024-05-07T01-00Z/manifest.json`)
    expect(error.message).toContain('larger than 16 MiB')
    expect(readBytes).toBeLessThanOrEqual(MAX_MANIFEST_BYTES + 64 * 1024)
    // A source that ignores the cap still gets the error.
    await expectCode(() => findLatestInventory(new MemorySource(report('2024-05-07T01-00Z', huge)), LOCATION), 'MANIFEST_INVALID')
  })

  it('throws MANIFEST_INVALID for a manifest whose checksum matches but whose content is wrong', async () => {
    const source = new MemorySource(report('2024-05-07T01-00Z', '{"files": "nope"}'))
    const error = await expectCode(() => findLatestInventory(source, LOCATION), 'MANIFEST_INVALID')
    expect(error.file).toBe(`${PREFIX}2024-05-07T01-00Z/manifest.json`)
  })

  it('throws MANIFEST_NOT_FOUND when there is no timestamp folder', async () => {
    const empty = new MemorySource()
    const error = await expectCode(() => findLatestInventory(empty, LOCATION), 'MANIFEST_NOT_FOUND')
    expect(error.file).toBe(`s3://reports/${PREFIX}`)
    const onlyData = new MemorySource({ [`${PREFIX}data/a.csv.gz`]: 'x', [`${PREFIX}hive/x`]: 'y' })
    await expectCode(() => findLatestInventory(onlyData, LOCATION), 'MANIFEST_NOT_FOUND')
  })

  it('throws MANIFEST_NOT_FOUND when no folder holds a complete report', async () => {
    const source = new MemorySource({
      [`${PREFIX}2024-05-08T01-00Z/x`]: 'x',
      [`${PREFIX}2024-05-07T01-00Z/manifest.json`]: manifestText('1'),
    })
    await expectCode(() => findLatestInventory(source, LOCATION), 'MANIFEST_NOT_FOUND')
  })

  it('throws ABORTED when the signal has fired', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    const source = new MemorySource(report('2024-05-07T01-00Z'))
    await expectCode(() => findLatestInventory(source, LOCATION, { signal: controller.signal }), 'ABORTED')
  })

  it('rejects a location with a slash in the configuration name', async () => {
    await expectCode(
      () => findLatestInventory(new MemorySource(), { ...LOCATION, configName: 'a/b' }),
      'INVALID_ARGUMENT',
    )
  })

  it('finds the real AWS manifest in a memfs copy of the destination bucket', async () => {
    const root = '/dest'
    const folder = 'filemanager-inventory-test/inventory/2024-05-07T01-00Z'
    const volume = Volume.fromJSON({
      [`${root}/${folder}/manifest.json`]: awsFixture('csv_inventory_manifest.json'),
      [`${root}/${folder}/manifest.checksum`]: awsFixture('csv_inventory_manifest.checksum'),
      [`${root}/filemanager-inventory-test/inventory/2024-05-08T01-00Z/manifest.json`]: Buffer.from('{}'),
      [`${root}/filemanager-inventory-test/inventory/data/x.csv.gz`]: Buffer.from('x'),
    })
    const source = createLocalDirectorySource(root, { fs: createFsFromVolume(volume) as unknown as LocalFs })
    const found = await findLatestInventory(source, {
      destinationBucket: 'filemanager-inventory-test',
      sourceBucket: 'filemanager-inventory-test',
      configName: 'inventory',
    })
    expect(found.folder.name).toBe('2024-05-07T01-00Z')
    expect(found.manifestKey).toBe(`${folder}/manifest.json`)
    expect(found.manifest.files.map((file) => file.key)).toEqual(['csv_inventory.csv.gz'])
    expect(found.skipped).toEqual([{ folder: '2024-05-08T01-00Z', reason: 'no manifest.checksum' }])
  })

  it('gives CHECKSUM_MISMATCH for the real manifest with one byte changed', async () => {
    const manifest = Buffer.from(awsFixture('csv_inventory_manifest.json'))
    manifest[manifest.indexOf('CSV')] = 'c'.charCodeAt(0)
    const source = new MemorySource({
      'b/c/2024-05-07T01-00Z/manifest.json': manifest,
      'b/c/2024-05-07T01-00Z/manifest.checksum': awsFixture('csv_inventory_manifest.checksum'),
    })
    const location = { destinationBucket: 'd', sourceBucket: 'b', configName: 'c' }
    await expectCode(() => findLatestInventory(source, location), 'CHECKSUM_MISMATCH')
  })
})
