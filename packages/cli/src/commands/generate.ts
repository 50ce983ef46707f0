import type { InventoryLocation } from '@shuttersense/inventory-core'
import { createLocalDirectorySource, findLatestInventory } from '@shuttersense/inventory-core/node'
import { parseFileSchema } from '@shuttersense/inventory-core/internal'
import { formatCount, printJson, UsageError, type CliIo } from '../cli-io.js'
import { generatePhotoObjects } from '../generate/photo-bucket.js'
import { nextDayObjects, type ChangeStats } from '../generate/next-day.js'
import { GENERATED_FORMATS, generatedFormatNamed, type GeneratedFormatName } from '../generate/formats.js'
import { writeInventory } from '../generate/write-inventory.js'

export interface GenerateArgs {
  objects?: string | undefined
  out?: string | undefined
  seed?: string | undefined
  files?: string | undefined
  'source-bucket'?: string | undefined
  config?: string | undefined
  prefix?: string | undefined
  date?: string | undefined
  versioned?: boolean | undefined
  sorted?: boolean | undefined
  format?: string | undefined
  malformed?: string | undefined
  'change-from'?: string | undefined
  'change-pct'?: string | undefined
  json?: boolean | undefined
}

function positiveInt(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${flag} N is required`)
    return fallback
  }
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0) throw new UsageError(`${flag} must be a whole number: "${value}"`)
  return parsed
}

/** The `--format` name that writes `fileFormat`; CSV for a format the generator does not write. */
function formatNameOf(fileFormat: string): GeneratedFormatName {
  const entry = Object.entries(GENERATED_FORMATS).find(([, generated]) => generated.fileFormat === fileFormat)
  return (entry?.[0] as GeneratedFormatName | undefined) ?? 'csv'
}

/** `generate`: writes a realistic photo-bucket inventory, or the next day's report of an existing one. */
export async function runGenerate(args: GenerateArgs, io: CliIo): Promise<void> {
  if (!args.out) throw new UsageError('--out DIR is required')
  const location: InventoryLocation = {
    destinationBucket: 'inventory-destination',
    destinationPrefix: args.prefix,
    sourceBucket: args['source-bucket'] ?? 'photos',
    configName: args.config ?? 'daily',
  }
  const seed = positiveInt(args.seed, '--seed', 1)
  const changeFrom = args['change-from']
  let at = args.date ? new Date(args.date) : new Date(Date.UTC(2024, 4, 7, 1, 0))
  if (Number.isNaN(at.getTime())) throw new UsageError(`--date is not a date: "${args.date}"`)
  const change: ChangeStats = { added: 0, modified: 0, deleted: 0 }
  let folders
  let versioned = args.versioned ?? false
  let format = args.format === undefined ? undefined : generatedFormatNamed(args.format.toLowerCase())
  if (args.format !== undefined && format === undefined) {
    throw new UsageError(`--format must be one of ${Object.keys(GENERATED_FORMATS).join(', ')}: "${args.format}"`)
  }
  let objectsHint: number
  if (changeFrom) {
    const pct = Number(args['change-pct'] ?? '1')
    if (!(pct >= 0 && pct <= 100)) throw new UsageError(`--change-pct must be between 0 and 100: "${args['change-pct']}"`)
    const previous = await findLatestInventory(createLocalDirectorySource(changeFrom), location)
    versioned = parseFileSchema(previous.manifest.fileFormat, previous.manifest.fileSchema).some((column) => column.field === 'isLatest')
    format ??= formatNameOf(previous.manifest.fileFormat)
    if (!args.date) at = new Date(previous.folder.at.getTime() + 86_400_000)
    objectsHint = previous.manifest.files.reduce((sum, file) => sum + file.size, 0) / 40
    folders = nextDayObjects(changeFrom, location, pct, seed, change)
  } else {
    const objects = positiveInt(args.objects, '--objects')
    objectsHint = objects
    folders = generatePhotoObjects({ objects, seed })
  }
  const dataFiles = positiveInt(args.files, '--files', Math.max(1, Math.min(8, Math.ceil(objectsHint / 250_000))))
  if (dataFiles === 0) throw new UsageError('--files must be at least 1')
  const written = await writeInventory(folders, {
    out: args.out,
    location,
    at,
    dataFiles,
    versioned,
    format,
    order: args.sorted ? 'sorted' : 'random',
    expectedRows: objectsHint,
    malformedRows: positiveInt(args.malformed, '--malformed', 0),
    seed,
  })
  if (args.json) {
    printJson(io, { ...written, dataFiles, location, ...(changeFrom ? { change } : {}) })
    return
  }
  io.stdout.write(
    `Wrote ${formatCount(written.objects)} object${written.objects === 1 ? '' : 's'} (${formatCount(written.rows)} rows, ` +
      `${dataFiles} data file${dataFiles === 1 ? '' : 's'}) to ` +
      `${args.out}/${written.manifestKey.replace(/manifest\.json$/, '')}\n`,
  )
  if (changeFrom) {
    io.stdout.write(`  changes since the previous report: +${formatCount(change.added)} new, ~${formatCount(change.modified)} modified, -${formatCount(change.deleted)} deleted\n`)
  }
  io.stdout.write(`  import it with: shuttersense-inventory import --from ${args.out} --source-bucket ${location.sourceBucket} --config ${location.configName}${location.destinationPrefix ? ` --prefix ${location.destinationPrefix}` : ''} --db FILE\n`)
}
