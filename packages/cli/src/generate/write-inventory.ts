import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { once } from 'node:events'
import type { FileInfo, InventoryLocation } from '@shuttersense/inventory-core'
import { inventoryPrefix } from '@shuttersense/inventory-core/pure'
import { formatTimestampFolder } from '@shuttersense/inventory-core/internal'
import { CSV_FORMAT } from './csv-data-file.js'
import type { DataFileWriter } from './data-file-format.js'
import { GENERATED_FORMATS, type GeneratedFormatName } from './formats.js'
import { SeededRandom } from './random.js'

export const UNVERSIONED_SCHEMA = CSV_FORMAT.fileSchema(false)
export const VERSIONED_SCHEMA = CSV_FORMAT.fileSchema(true)

/** Options of {@link writeInventory}. */
export interface WriteInventoryOptions {
  /** Directory that mirrors the destination bucket. */
  out: string
  location: InventoryLocation
  /** The report's time; its timestamp folder is named after it. */
  at: Date
  /** Number of data files. */
  dataFiles: number
  /** Format of the data files (the manifest's `fileFormat` and `fileSchema` follow). @default csv */
  format?: GeneratedFormatName | undefined
  /**
   * `random` (default), as AWS writes: every row in a random data file at a random place, so no data
   * file is in key order and each holds a random part of the bucket. `sorted`: each folder's rows
   * together and in key order, in a random data file.
   */
  order?: 'random' | 'sorted' | undefined
  /** Rows expected (a hint that sizes the shuffle's pieces). */
  expectedRows?: number | undefined
  /** Write VersionId/IsLatest/IsDeleteMarker with some older versions and deleted objects. */
  versioned?: boolean | undefined
  /** Malformed rows to inject (one of each kind in turn). */
  malformedRows?: number | undefined
  seed: number
}

/** What a written inventory holds, for tests and the demo. */
export interface WrittenInventory {
  manifestKey: string
  timestampFolder: string
  /** Current objects (the files an import must find). */
  objects: number
  bytes: number
  rows: number
  noncurrentVersions: number
  deleteMarkers: number
  malformedRows: number
}

/** AWS writes keys form-URL-encoded in CSV: `%XX` for reserved bytes and `+` for a space. */
export function encodeInventoryKey(key: string): string {
  return encodeURIComponent(key).replaceAll('%20', '+')
}

const quote = (fields: readonly (string | number)[]): string => `"${fields.join('","')}"\n`

/** The fields after the key's, as AWS writes them for an object (key already encoded). */
function objectFields(size: string | number, lastModified: string, etag: string, storageClass: string): (string | number)[] {
  const multipart = etag.includes('-') ? 'true' : 'false'
  const tier = storageClass === 'INTELLIGENT_TIERING' ? 'FREQUENT' : ''
  return [size, lastModified, etag, storageClass, multipart, '', 'SSE-S3', '', '', '', tier, 'DISABLED', '']
}

/** Rows of an unversioned report that an import must count as bad rows, one of each kind in turn. */
const MALFORMED: readonly ((bucket: string, versionFields: string[]) => string)[] = [
  (bucket) => quote([bucket, 'bad/too-few-columns.jpg', 1]),
  (bucket, version) => quote([bucket, 'bad/size.jpg', ...version, ...objectFields('twelve', '2024-01-01T00:00:00.000Z', 'abc', 'STANDARD')]),
  (bucket, version) => quote([bucket, 'bad/date.jpg', ...version, ...objectFields(12, 'yesterday', 'abc', 'STANDARD')]),
  (bucket, version) => quote([bucket, 'bad/escape%ZZ.jpg', ...version, ...objectFields(12, '2024-01-01T00:00:00.000Z', 'abc', 'STANDARD')]),
]

/** Rows held in memory at once by the shuffle: one piece of one data file. */
const SHUFFLE_PIECE_ROWS = 100_000

/**
 * Writes rows in a uniformly random order over the data files with bounded memory: each row goes to a
 * random piece (a temporary file) of a random data file; each piece is then shuffled in memory and
 * appended to its data file.
 */
class RowShuffler {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'inventory-shuffle-'))
  private readonly pieces: WriteStream[][]

  constructor(
    private readonly writers: readonly DataFileWriter[],
    piecesPerFile: number,
    private readonly random: SeededRandom,
  ) {
    this.pieces = writers.map((_, file) =>
      Array.from({ length: piecesPerFile }, (_, piece) => createWriteStream(path.join(this.dir, `${file}-${piece}`))),
    )
  }

  async write(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      const file = this.pieces[this.random.int(0, this.pieces.length - 1)]!
      const piece = file[this.random.int(0, file.length - 1)]!
      if (!piece.write(line)) await once(piece, 'drain')
    }
  }

  /** Writes every piece, shuffled, into its data file, and removes the pieces. */
  async finish(): Promise<void> {
    try {
      for (const [file, pieces] of this.pieces.entries()) {
        for (const piece of pieces) {
          piece.end()
          await once(piece, 'finish')
          const rows = readFileSync(piece.path as string, 'utf8').split('\n')
          rows.pop()
          for (let i = rows.length - 1; i > 0; i--) {
            const j = this.random.int(0, i)
            const row = rows[i]!
            rows[i] = rows[j]!
            rows[j] = row
          }
          for (let at = 0; at < rows.length; at += 10_000) await this.writers[file]!.write(`${rows.slice(at, at + 10_000).join('\n')}\n`)
        }
      }
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
    }
  }
}

/**
 * Writes an S3 Inventory report in AWS's layout under `out`:
 * `<prefix>/<source>/<config>/<timestamp>/manifest.json` + `manifest.checksum`, data files in
 * `<prefix>/<source>/<config>/data/<uuid>.csv.gz` (`.parquet`, …, by `format`), and a `hive/` folder beside them as AWS writes.
 * `folders` is consumed as it is produced, so memory stays flat.
 */
export async function writeInventory(
  folders: Iterable<{ files: readonly FileInfo[] }> | AsyncIterable<{ files: readonly FileInfo[] }>,
  options: WriteInventoryOptions,
): Promise<WrittenInventory> {
  const random = new SeededRandom(options.seed ^ 0x5eed)
  const prefix = inventoryPrefix(options.location)
  const timestampFolder = formatTimestampFolder(options.at)
  const format = GENERATED_FORMATS[options.format ?? 'csv']
  const versioned = options.versioned === true
  const writers = Array.from({ length: Math.max(1, options.dataFiles) }, () =>
    format.createWriter(options.out, `${prefix}data/${randomUUID()}${format.extension}`, versioned),
  )
  const bucket = options.location.sourceBucket
  const stats: WrittenInventory = {
    manifestKey: `${prefix}${timestampFolder}/manifest.json`,
    timestampFolder,
    objects: 0,
    bytes: 0,
    rows: 0,
    noncurrentVersions: 0,
    deleteMarkers: 0,
    malformedRows: 0,
  }
  const row = (file: FileInfo, version?: { id: string; latest: boolean; deleteMarker: boolean }): string => {
    const key = encodeInventoryKey(file.key)
    const fields = objectFields(file.size, file.lastModified, file.etag, file.storageClass)
    if (!options.versioned) return quote([bucket, key, ...fields])
    const { id, latest, deleteMarker } = version ?? { id: random.hex32(), latest: true, deleteMarker: false }
    if (deleteMarker) return quote([bucket, key, id, String(latest), 'true', '', file.lastModified, ...fields.slice(2).map(() => '')])
    return quote([bucket, key, id, String(latest), 'false', ...fields])
  }
  const versionFields = options.versioned ? [random.hex32(), 'true', 'false'] : []
  const malformed = (index: number): string => MALFORMED[index % MALFORMED.length]!(bucket, versionFields)
  const piecesPerFile = Math.max(1, Math.ceil((options.expectedRows ?? 0) / writers.length / SHUFFLE_PIECE_ROWS))
  const shuffler = options.order === 'sorted' ? undefined : new RowShuffler(writers, piecesPerFile, random)

  let malformedLeft = options.malformedRows ?? 0
  for await (const folder of folders) {
    const writer = writers[random.int(0, writers.length - 1)]!
    const lines: string[] = []
    for (const file of folder.files) {
      if (options.versioned && random.next() < 0.1) {
        lines.push(row({ ...file, size: file.size + 1, etag: random.hex32() }, { id: random.hex32(), latest: false, deleteMarker: false }))
        stats.noncurrentVersions++
      }
      if (options.versioned && random.next() < 0.02) {
        // Deleted since: the object's version is no longer latest and a delete marker is.
        lines.push(row(file, { id: random.hex32(), latest: false, deleteMarker: false }))
        lines.push(row(file, { id: random.hex32(), latest: true, deleteMarker: true }))
        stats.noncurrentVersions++
        stats.deleteMarkers++
        continue
      }
      lines.push(row(file))
      stats.objects++
      stats.bytes += file.size
      if (malformedLeft > 0 && random.next() < 0.01) {
        lines.push(malformed(stats.malformedRows))
        stats.malformedRows++
        malformedLeft--
      }
    }
    stats.rows += lines.length
    if (shuffler) await shuffler.write(lines)
    else await writer.write(lines.join(''))
  }
  // Whatever malformed rows are still owed go at the end of the first file (anywhere, when shuffled).
  while (malformedLeft-- > 0) {
    if (shuffler) await shuffler.write([malformed(stats.malformedRows)])
    else await writers[0]!.write(malformed(stats.malformedRows))
    stats.malformedRows++
    stats.rows++
  }
  await shuffler?.finish()

  const files = await Promise.all(writers.map((writer) => writer.close()))
  const manifest = {
    sourceBucket: options.location.sourceBucket,
    destinationBucket: `arn:aws:s3:::${options.location.destinationBucket}`,
    version: '2016-11-30',
    creationTimestamp: String(options.at.getTime()),
    fileFormat: format.fileFormat,
    fileSchema: format.fileSchema(versioned),
    files,
  }
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2))
  const folderPath = path.join(options.out, prefix, timestampFolder)
  mkdirSync(folderPath, { recursive: true })
  writeFileSync(path.join(folderPath, 'manifest.json'), manifestBytes)
  writeFileSync(path.join(folderPath, 'manifest.checksum'), `${createHash('md5').update(manifestBytes).digest('hex')}\n`)
  const hive = path.join(options.out, prefix, 'hive', `dt=${timestampFolder.slice(0, 10)}-${timestampFolder.slice(11, 13)}-00`)
  mkdirSync(hive, { recursive: true })
  writeFileSync(path.join(hive, 'symlink.txt'), files.map((file) => `s3://${options.location.destinationBucket}/${file.key}`).join('\n'))
  return stats
}
