import { parseArgs } from 'node:util'
import { isInventoryError } from '@shuttersense/inventory-core'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_INVENTORY_ERROR, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './cli-io.js'
import { runGenerate } from './commands/generate.js'
import { runImport } from './commands/import.js'
import { runCollectionsCreate, runCollectionsList, runDelta, runFolders } from './commands/inspect.js'

export const USAGE = `Usage: shuttersense-inventory <command> [options]

  generate --objects N --out DIR [--format csv|parquet|orc] [--seed S] [--files N] [--versioned]
           [--malformed N] [--sorted] [--source-bucket B] [--config C] [--prefix P] [--date ISO]
           rows in random order within and across data files, as AWS writes them
           (--sorted: each folder's rows together, in key order); --format: the data files'
           format (default csv), with the manifest AWS writes for it
  generate --change-from DIR --change-pct P --out DIR [--format F]
           (the next day's report; in the previous one's format unless --format says)
  import   --from DIR|s3://bucket[/prefix] --source-bucket B --config C --db FILE
           [--prefix P] [--endpoint URL] [--region R] [--concurrency N] [--workers N] [--json]
           s3:// reads the destination bucket with the standard AWS credential chain and region;
           --endpoint URL  an S3-compatible server (path-style requests)
           --region R      instead of AWS_REGION / the shared config file
           --concurrency N data files read at once (default: workers + 1)
           --workers N     worker threads parsing data files beside the main thread, ~25 MB
                           each (default: cores - 1, at most 3; 0 parses on the main thread only)
  folders  --db FILE [--connector ID] [--prefix P] [--depth N] [--json]
  collections create --db FILE (--folder PATH... [--name N] | --depth N) [--connector ID] [--json]
  collections list   --db FILE [--connector ID] [--json]
  delta    --db FILE --collection ID [--json]

--db FILE is a SQLite file; --db postgres://user@host:5432/db[?schema=S] a PostgreSQL database.
Without --db, DATABASE_URL is used.

Exit codes: 0 ok, 1 unexpected failure, 2 the inventory could not be imported, 64 usage error,
130 interrupted (the next import resumes).
`

const OPTIONS = {
  objects: { type: 'string' },
  out: { type: 'string' },
  seed: { type: 'string' },
  files: { type: 'string' },
  versioned: { type: 'boolean' },
  sorted: { type: 'boolean' },
  format: { type: 'string' },
  malformed: { type: 'string' },
  'source-bucket': { type: 'string' },
  config: { type: 'string' },
  prefix: { type: 'string' },
  date: { type: 'string' },
  'change-from': { type: 'string' },
  'change-pct': { type: 'string' },
  from: { type: 'string' },
  db: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  concurrency: { type: 'string' },
  workers: { type: 'string' },
  connector: { type: 'string' },
  collection: { type: 'string' },
  depth: { type: 'string' },
  folder: { type: 'string', multiple: true },
  name: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true })
    const [command, sub] = positionals
    if (values.help || command === undefined || command === 'help') {
      io.stdout.write(USAGE)
      return EXIT_OK
    }
    switch (command) {
      case 'generate':
        await runGenerate(values, io)
        break
      case 'import':
        await runImport(values, io, signal)
        break
      case 'folders':
        await runFolders(values, io)
        break
      case 'collections':
        if (sub === 'create') await runCollectionsCreate(values, io)
        else if (sub === 'list') await runCollectionsList(values, io)
        else throw new UsageError(`collections needs create or list, not "${sub ?? ''}"`)
        break
      case 'delta':
        await runDelta(values, io)
        break
      default:
        throw new UsageError(`unknown command "${command}"`)
    }
    return EXIT_OK
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}`)
      return EXIT_USAGE
    }
    if (isInventoryError(error)) {
      io.stderr.write(`error [${error.code}]: ${error.message}\n`)
      if (error.code === 'ABORTED') return EXIT_INTERRUPTED
      return error.code === 'NOT_FOUND' || error.code === 'INVALID_ARGUMENT' || error.code === 'CONFLICT'
        ? EXIT_FAILURE
        : EXIT_INVENTORY_ERROR
    }
    io.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`)
    return EXIT_FAILURE
  }
}
