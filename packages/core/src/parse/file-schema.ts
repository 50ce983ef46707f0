import { InventoryError } from '../errors.js'
import type { InventoryFileFormat, InventoryManifest } from '../manifest/manifest-schema.js'

/**
 * The fields S3 Inventory can list, by one canonical name whatever the format spells them
 * (CSV `LastModifiedDate`, Parquet and ORC `last_modified_date`).
 */
export const INVENTORY_FIELDS = [
  'bucket',
  'key',
  'versionId',
  'isLatest',
  'isDeleteMarker',
  'size',
  'lastModifiedDate',
  'eTag',
  'storageClass',
  'isMultipartUploaded',
  'replicationStatus',
  'encryptionStatus',
  'objectLockRetainUntilDate',
  'objectLockMode',
  'objectLockLegalHoldStatus',
  'intelligentTieringAccessTier',
  'bucketKeyStatus',
  'checksumAlgorithm',
  'objectAccessControlList',
  'objectOwner',
] as const

/** A field of S3 Inventory by its canonical name. */
export type InventoryField = (typeof INVENTORY_FIELDS)[number]

/** The fields without which an import makes no FileInfo. */
export const REQUIRED_IMPORT_FIELDS: readonly InventoryField[] = ['key', 'size', 'lastModifiedDate']

/** One column of a data file as the manifest's `fileSchema` declares it. */
export interface FileSchemaColumn {
  /** The name as spelled in the schema. */
  name: string
  /** The inventory field it holds; `undefined` for a column this library does not know. */
  field: InventoryField | undefined
  /**
   * The declared type, lowercase: Parquet's physical type (`binary`, `int64`, `boolean`, `group`),
   * ORC's type (`string`, `bigint`, `timestamp`, `decimal(38,0)`); `undefined` in CSV (all text).
   */
  type: string | undefined
  /** Parquet's logical-type annotation without spaces, uppercase (`STRING`, `UTF8`, `TIMESTAMP(MILLIS,TRUE)`). */
  annotation?: string | undefined
}

const FIELD_BY_NORMALIZED = new Map<string, InventoryField>(INVENTORY_FIELDS.map((field) => [field.toLowerCase(), field]))

/** The field a column name stands for: case, spaces, `_` and `-` do not matter (`ETag`, `e_tag`). */
export function inventoryFieldOf(name: string): InventoryField | undefined {
  return FIELD_BY_NORMALIZED.get(name.toLowerCase().replace(/[^a-z0-9]/g, ''))
}

/** How the manifest of `format` spells `field` (`LastModifiedDate` in CSV, `last_modified_date` otherwise). */
export function fieldNameIn(format: InventoryFileFormat, field: InventoryField): string {
  return format === 'CSV' ? field[0]!.toUpperCase() + field.slice(1) : field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)
}

/**
 * Parses a manifest's `fileSchema` into its columns, in order. CSV: `Bucket, Key, Size, ...`;
 * Parquet: `message s3.inventory { required binary key (STRING); ... }` in any of the spellings
 * parquet-mr has used; ORC: `struct<bucket:string,key:string,...>`.
 * @throws InventoryError `MANIFEST_INVALID` naming `file` when the schema cannot be parsed.
 */
export function parseFileSchema(format: InventoryFileFormat, fileSchema: string, file = 'manifest.json'): FileSchemaColumn[] {
  const fail = (why: string): never => {
    throw new InventoryError('MANIFEST_INVALID', `${file}: fileSchema is not a valid ${format} schema (${why})`, { file })
  }
  switch (format) {
    case 'CSV':
      return fileSchema.split(',').map((part) => {
        const name = part.trim()
        return { name, field: inventoryFieldOf(name), type: undefined }
      })
    case 'Parquet':
      return parseParquetMessage(fileSchema, fail)
    case 'ORC':
      return parseOrcStruct(fileSchema, fail)
  }
}

/**
 * Checks that `fields` hold Key, Size and LastModifiedDate.
 * @throws InventoryError `SCHEMA_UNSUPPORTED` naming `file` and every missing field as `format` spells it:
 * without them there is no FileInfo; the fix is to add those optional fields to the inventory configuration.
 */
export function requireImportFields(
  fields: Iterable<InventoryField | undefined>,
  format: InventoryFileFormat,
  file = 'manifest.json',
): void {
  const present = new Set(fields)
  const missing = REQUIRED_IMPORT_FIELDS.filter((field) => !present.has(field))
  if (missing.length === 0) return
  throw new InventoryError(
    'SCHEMA_UNSUPPORTED',
    `${file}: fileSchema lacks ${missing.map((field) => fieldNameIn(format, field)).join(', ')}; ` +
      'add these fields to the S3 Inventory configuration',
    { file },
  )
}

type Fail = (why: string) => never

/** Tokens of a Parquet message type: words, numbers and single punctuation characters. */
function parquetTokens(text: string): string[] {
  return text.match(/[A-Za-z0-9_.$-]+|[^\sA-Za-z0-9_.$-]/g) ?? []
}

function parseParquetMessage(text: string, fail: Fail): FileSchemaColumn[] {
  const tokens = parquetTokens(text)
  let at = 0
  const peek = (): string | undefined => tokens[at]
  const next = (what: string): string => tokens[at++] ?? fail(`expected ${what}, found the end`)
  const expect = (token: string): void => {
    const found = next(`'${token}'`)
    if (found !== token) fail(`expected '${token}', found '${found}'`)
  }
  // `(TIMESTAMP(MILLIS,true))` and the like: the balanced text between parentheses, without spaces.
  const parenthesized = (): string => {
    expect('(')
    let depth = 1
    let body = ''
    for (;;) {
      const token = next("')'")
      if (token === '(') depth++
      if (token === ')' && --depth === 0) return body
      body += token
    }
  }
  const columns: FileSchemaColumn[] = []
  const fields = (depth: number): void => {
    while (peek() !== '}') {
      const repetition = next('a field').toLowerCase()
      if (repetition !== 'required' && repetition !== 'optional' && repetition !== 'repeated') {
        fail(`expected required, optional or repeated, found '${repetition}'`)
      }
      const type = next('a type').toLowerCase()
      if (peek() === '(') parenthesized() // fixed_len_byte_array(16)
      const name = next('a field name')
      const annotation = peek() === '(' ? parenthesized().toUpperCase() : undefined
      if (peek() === '=') {
        at++
        next('a field id')
      }
      if (type === 'group') {
        expect('{')
        fields(depth + 1)
        expect('}')
        if (peek() === ';') at++
      } else {
        expect(';')
      }
      if (depth === 0) columns.push({ name, field: inventoryFieldOf(name), type, annotation })
    }
  }
  if (next("'message'").toLowerCase() !== 'message') fail("it does not start with 'message'")
  if (peek() !== '{') next('a message name')
  expect('{')
  fields(0)
  expect('}')
  if (peek() === ';') at++
  if (at < tokens.length) fail(`unexpected '${tokens[at]}' after the message`)
  return columns
}

function parseOrcStruct(text: string, fail: Fail): FileSchemaColumn[] {
  const source = text.replace(/\s+/g, '')
  let at = 0
  const expect = (char: string): void => {
    if (source[at] !== char) fail(`expected '${char}' at ${at}, found '${source[at] ?? 'the end'}'`)
    at++
  }
  const word = (what: string): string => {
    if (source[at] === '`') {
      const end = source.indexOf('`', at + 1)
      if (end < 0) fail('unterminated `name`')
      const name = source.slice(at + 1, end)
      at = end + 1
      return name
    }
    const match = /^[A-Za-z0-9_.$-]+/.exec(source.slice(at))
    if (!match) fail(`expected ${what} at ${at}`)
    at += match![0].length
    return match![0]
  }
  /** A type as text (`bigint`, `decimal(38,0)`, `map<string,int>`), with nested fields skipped over. */
  const type = (): string => {
    const start = at
    const kind = word('a type').toLowerCase()
    if (source[at] === '(') {
      const end = source.indexOf(')', at)
      if (end < 0) fail('unterminated type arguments')
      at = end + 1
    }
    if (source[at] === '<') {
      at++
      for (;;) {
        if (kind === 'struct') {
          word('a field name')
          expect(':')
        }
        type()
        if (source[at] !== ',') break
        at++
      }
      expect('>')
    }
    return source.slice(start, at).toLowerCase()
  }
  if (word("'struct'").toLowerCase() !== 'struct') fail("it is not a struct<...>")
  expect('<')
  const columns: FileSchemaColumn[] = []
  while (source[at] !== '>') {
    const name = word('a field name')
    expect(':')
    columns.push({ name, field: inventoryFieldOf(name), type: type() })
    if (source[at] === ',') at++
    else break
  }
  expect('>')
  if (at < source.length) fail(`unexpected '${source.slice(at, at + 10)}' after the struct`)
  return columns
}

/**
 * Checks a manifest's `fileSchema` before any data file is read: it parses, and it holds Key, Size and
 * LastModifiedDate. @throws InventoryError `MANIFEST_INVALID` or `SCHEMA_UNSUPPORTED` naming `file`.
 */
export function requireManifestImportFields(manifest: Pick<InventoryManifest, 'fileFormat' | 'fileSchema'>, file = 'manifest.json'): void {
  const columns = parseFileSchema(manifest.fileFormat, manifest.fileSchema, file)
  requireImportFields(
    columns.map((column) => column.field),
    manifest.fileFormat,
    file,
  )
}
