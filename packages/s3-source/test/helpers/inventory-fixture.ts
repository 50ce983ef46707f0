import { createHash, randomUUID } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { FileInfo, InventoryLocation } from '@shuttersense/inventory-core'

/** The columns the generated reports declare, in order. */
export const FILE_SCHEMA = 'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass'

/** One data file entry of a manifest. */
export interface ManifestFile {
  key: string
  size: number
  MD5checksum: string
}

/** One object of the (imaginary) source bucket. */
export type SourceObject = FileInfo

/** A generated report laid out as S3 Inventory writes it: object key → bytes. */
export interface GeneratedInventory {
  location: InventoryLocation
  /** Every object to upload to the destination bucket. */
  objects: Map<string, Uint8Array>
  /** Timestamp folder of the newest complete report. */
  latestTimestamp: string
  latestManifestKey: string
  /** Data file keys of the newest complete report. */
  dataFileKeys: string[]
  /** The objects of the source bucket the newest report describes, sorted by key. */
  sourceObjects: SourceObject[]
}

export function md5Hex(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex')
}

/** AWS writes keys form-URL-encoded with `/` kept and `+` for a space. */
export function encodeInventoryKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+')
}

/** One header-less CSV row, every field double-quoted. */
export function csvRow(bucket: string, object: SourceObject): string {
  const fields = [
    bucket,
    encodeInventoryKey(object.key),
    String(object.size),
    object.lastModified,
    object.etag,
    object.storageClass,
  ]
  return fields.map((field) => `"${field}"`).join(',') + '\n'
}

/** A small but varied source bucket: nested folders, spaces, `+`, non-ASCII, a folder marker. */
export function sampleSourceObjects(): SourceObject[] {
  const keys = [
    '2021/',
    '2021/Wedding/IMG_0001.CR3',
    '2021/Wedding/IMG_0001.xmp',
    '2021/Wedding/IMG 0002.jpg',
    '2021/Wedding/Édition+final.jpg',
    '2021/Wedding/raw/IMG_0003.CR3',
    '2022/Trip/DSC_1000.NEF',
    '2022/Trip/DSC_1001.NEF',
    '2022/Trip/notes, day 1.txt',
    '2022/Trip/😀.heic',
    'loose.txt',
  ]
  return keys
    .map((key, index) => ({
      key,
      size: key.endsWith('/') ? 0 : 1000 * (index + 1) + index,
      lastModified: new Date(Date.UTC(2024, 4, 1 + index, 10, index, 0)).toISOString(),
      etag: md5Hex(key),
      storageClass: index % 3 === 0 ? 'STANDARD' : index % 3 === 1 ? 'GLACIER_IR' : 'DEEP_ARCHIVE',
    }))
    .sort((a, b) => (Buffer.compare(Buffer.from(a.key), Buffer.from(b.key))))
}

export interface GenerateOptions {
  destinationBucket?: string
  destinationPrefix?: string
  sourceBucket?: string
  configName?: string
  /** Data files the newest report is split into. @default 3 */
  dataFileCount?: number
  sourceObjects?: SourceObject[]
}

function buildManifest(
  location: InventoryLocation,
  createdAt: Date,
  files: ManifestFile[],
): Uint8Array {
  const manifest = {
    sourceBucket: location.sourceBucket,
    destinationBucket: `arn:aws:s3:::${location.destinationBucket}`,
    version: '2016-11-30',
    creationTimestamp: String(createdAt.getTime()),
    fileFormat: 'CSV',
    fileSchema: FILE_SCHEMA,
    files,
  }
  return Buffer.from(JSON.stringify(manifest, null, 2))
}

/**
 * Generates an inventory configuration's reports the way AWS lays them out:
 * `<prefix>/<source>/<config>/<YYYY-MM-DDTHH-MMZ>/manifest.json` + `manifest.checksum`, data files under
 * `<prefix>/<source>/<config>/data/<uuid>.csv.gz`, a `hive/` folder beside them, an older complete report
 * and a newer, incomplete one (data files written, manifest not yet).
 */
export function generateInventory(options: GenerateOptions = {}): GeneratedInventory {
  const location: InventoryLocation = {
    destinationBucket: options.destinationBucket ?? 'inventory-dest',
    destinationPrefix: options.destinationPrefix ?? 'reports',
    sourceBucket: options.sourceBucket ?? 'photo-bucket',
    configName: options.configName ?? 'daily-csv',
  }
  const prefix = location.destinationPrefix ? `${location.destinationPrefix}/` : ''
  const base = `${prefix}${location.sourceBucket}/${location.configName}/`
  const sourceObjects = options.sourceObjects ?? sampleSourceObjects()
  const objects = new Map<string, Uint8Array>()

  const writeReport = (
    timestamp: string,
    createdAt: Date,
    rows: SourceObject[],
    fileCount: number,
    complete: boolean,
  ): { manifestKey: string; files: ManifestFile[] } => {
    const files: ManifestFile[] = []
    for (let i = 0; i < fileCount; i++) {
      const slice = rows.filter((_, index) => index % fileCount === i)
      const csv = slice.map((object) => csvRow(location.sourceBucket, object)).join('')
      const gz = gzipSync(Buffer.from(csv))
      const key = `${base}data/${randomUUID()}.csv.gz`
      objects.set(key, gz)
      files.push({ key, size: gz.byteLength, MD5checksum: md5Hex(gz) })
    }
    if (!complete) return { manifestKey: '', files }
    const manifest = buildManifest(location, createdAt, files)
    const manifestKey = `${base}${timestamp}/manifest.json`
    objects.set(manifestKey, manifest)
    objects.set(`${base}${timestamp}/manifest.checksum`, Buffer.from(`${md5Hex(manifest)}\n`))
    return { manifestKey, files }
  }

  // An older report with fewer objects: it must not be the one imported.
  writeReport('2024-05-05T01-00Z', new Date(Date.UTC(2024, 4, 5, 1)), sourceObjects.slice(0, 3), 1, true)
  const latestAt = new Date(Date.UTC(2024, 4, 6, 1))
  const latest = writeReport('2024-05-06T01-00Z', latestAt, sourceObjects, options.dataFileCount ?? 3, true)
  // The newest report is still being written: data files, no manifest yet.
  writeReport('2024-05-07T01-00Z', new Date(Date.UTC(2024, 4, 7, 1)), sourceObjects.slice(0, 1), 1, false)
  // Only its checksum has landed so far, so the folder shows up in the listing without a manifest.json.
  objects.set(`${base}2024-05-07T01-00Z/manifest.checksum`, Buffer.from(`${md5Hex('not yet')}\n`))
  const symlinks = latest.files.map((file) => `s3://${location.destinationBucket}/${file.key}`).join('\n')
  objects.set(`${base}hive/dt=2024-05-06-01-00/symlink.txt`, Buffer.from(symlinks))

  return {
    location,
    objects,
    latestTimestamp: '2024-05-06T01-00Z',
    latestManifestKey: latest.manifestKey,
    dataFileKeys: latest.files.map((file) => file.key),
    sourceObjects,
  }
}

/** Rebuilds `manifest.json` + `manifest.checksum` of a report after a test changed its file list. */
export function rewriteManifest(
  inventory: GeneratedInventory,
  files: ManifestFile[],
): void {
  const manifest = buildManifest(inventory.location, new Date(Date.UTC(2024, 4, 6, 1)), files)
  inventory.objects.set(inventory.latestManifestKey, manifest)
  const checksumKey = inventory.latestManifestKey.replace(/manifest\.json$/, 'manifest.checksum')
  inventory.objects.set(checksumKey, Buffer.from(`${md5Hex(manifest)}\n`))
}

/** The data files of the newest report as its manifest lists them. */
export function latestFiles(inventory: GeneratedInventory): ManifestFile[] {
  const bytes = inventory.objects.get(inventory.latestManifestKey)!
  return (JSON.parse(Buffer.from(bytes).toString('utf8')) as { files: ManifestFile[] }).files
}
