import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream, mkdirSync } from 'node:fs'
import * as path from 'node:path'
import { createGzip, type Gzip } from 'node:zlib'
import type { DataFileWriter, GeneratedFormat, WrittenDataFile } from './data-file-format.js'
import { reportFields } from './data-file-format.js'

/** AWS's CSV names of the fields (`LastModifiedDate`, `ETag`). */
const csvName = (field: string): string => field[0]!.toUpperCase() + field.slice(1)

/** CSV as AWS writes it: gzip, no header, `fileSchema` a comma list. */
export const CSV_FORMAT: GeneratedFormat = {
  fileFormat: 'CSV',
  extension: '.csv.gz',
  fileSchema: (versioned) => reportFields(versioned).map(csvName).join(', '),
  createWriter: (out, key) => new CsvDataFileWriter(out, key),
}

class CsvDataFileWriter implements DataFileWriter {
  private readonly gzip: Gzip
  private readonly hash = createHash('md5')
  private readonly finished: Promise<unknown>
  private pending: string[] = []
  private pendingLength = 0
  private size = 0

  constructor(
    out: string,
    readonly key: string,
  ) {
    const file = path.join(out, key)
    mkdirSync(path.dirname(file), { recursive: true })
    const sink = createWriteStream(file)
    this.gzip = createGzip()
    this.gzip.on('data', (chunk: Buffer) => {
      this.hash.update(chunk)
      this.size += chunk.length
    })
    this.gzip.pipe(sink)
    this.finished = once(sink, 'finish')
  }

  async write(text: string): Promise<void> {
    this.pending.push(text)
    this.pendingLength += text.length
    if (this.pendingLength >= 1 << 20) await this.flush()
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return
    const ok = this.gzip.write(this.pending.join(''))
    this.pending = []
    this.pendingLength = 0
    if (!ok) await once(this.gzip, 'drain')
  }

  async close(): Promise<WrittenDataFile> {
    await this.flush()
    this.gzip.end()
    await this.finished
    return { key: this.key, size: this.size, MD5checksum: this.hash.digest('hex') }
  }
}
