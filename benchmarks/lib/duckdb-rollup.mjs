// The reference: DuckDB reads the same gzip CSV data files and computes the same folder rollup
// (rows grouped by their direct folder first, then only those folders expanded to their ancestors).
// With --parquet first, it reads Parquet data files with read_parquet instead (plain keys; only the
// latest non-delete-marker versions when the report is versioned).
// Prints one JSON line: { step, seconds, maxRssMb, folders, objects }.
import { DuckDBInstance } from '@duckdb/node-api'

const parquet = process.argv[2] === '--parquet'
const files = process.argv.slice(parquet ? 3 : 2)
const started = performance.now()
const instance = await DuckDBInstance.create(':memory:', { threads: '2' })
const connection = await instance.connect()
const list = `[${files.map((file) => `'${file.replaceAll("'", "''")}'`).join(', ')}]`

async function csvRows() {
  // DuckDB names header-less columns column1.. or column01.. (10 columns or more): take its own names.
  const described = await connection.runAndReadAll(
    `DESCRIBE SELECT * FROM read_csv(${list}, header = false, all_varchar = true, quote = '"', compression = 'gzip')`,
  )
  const [, keyColumn, sizeColumn, dateColumn] = described.getRowObjects().map((row) => `"${row.column_name}"`)
  return `SELECT url_decode(replace(${keyColumn}, '+', ' ')) AS key, CAST(${sizeColumn} AS BIGINT) AS size, ${dateColumn} AS last_modified
    FROM read_csv(${list}, header = false, all_varchar = true, quote = '"', compression = 'gzip')`
}

async function parquetRows() {
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${list})`)
  const versioned = described.getRowObjects().some((row) => row.column_name === 'is_latest')
  return `SELECT key, size, last_modified_date AS last_modified FROM read_parquet(${list})
    ${versioned ? 'WHERE is_latest AND NOT is_delete_marker' : ''}`
}

const reader = await connection.runAndReadAll(`
  WITH raw AS (${parquet ? await parquetRows() : await csvRows()}),
  direct AS (
    SELECT regexp_extract(key, '^(.*/)', 1) AS folder, count(*) AS objects, sum(size) AS bytes, max(last_modified) AS newest
    FROM raw GROUP BY 1
  ),
  expanded AS (
    SELECT unnest([array_to_string(parts[1:i], '/') || '/' FOR i IN range(1, len(parts))]) AS path, objects, bytes, newest
    FROM (SELECT string_split(folder, '/') AS parts, objects, bytes, newest FROM direct WHERE folder <> '')
  )
  SELECT count(*) AS folders, (SELECT sum(objects) FROM direct) AS objects
  FROM (SELECT path, sum(objects), sum(bytes), max(newest) FROM expanded GROUP BY path)
`)
const [row] = reader.getRowObjects()
console.log(
  JSON.stringify({
    step: parquet ? 'duckdb-read_parquet' : 'duckdb-rollup',
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    // DuckDB's threads are this process's: user + system time of all of them.
    cpuSeconds: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(2)),
    folders: Number(row.folders),
    objects: Number(row.objects),
  }),
)
