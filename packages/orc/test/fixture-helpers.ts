import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { type OrcRandomAccess, type OrcSchema, type OrcTimestamp, type OrcValue, formatOrcTimestamp } from '../src/index.js'

export const FIXTURES = new URL('./fixtures/', import.meta.url)

/** A file's bytes as random access; `reads` counts the calls. */
export function bytesFile(bytes: Uint8Array): OrcRandomAccess & { reads: number; bytesRead: number } {
  const file = {
    size: bytes.length,
    reads: 0,
    bytesRead: 0,
    async read(offset: number, length: number) {
      file.reads++
      file.bytesRead += length
      if (offset < 0 || offset + length > bytes.length) throw new Error(`read past the end (${offset}+${length} of ${bytes.length})`)
      return bytes.subarray(offset, offset + length)
    },
  }
  return file
}

export function fixtureFile(name: string): OrcRandomAccess & { reads: number; bytesRead: number } {
  return bytesFile(new Uint8Array(readFileSync(new URL(name, FIXTURES))))
}

/** A JSON number kept as its text, so 64-bit integers and decimals compare exactly. */
interface JsonNumber {
  number: string
}
type Json = null | boolean | string | JsonNumber | Json[] | { [key: string]: Json }

/** Parses JSON keeping every number as its text. */
export function parseJsonExactly(text: string): Json {
  let at = 0
  const space = (): void => {
    while (/\s/.test(text[at] ?? '')) at++
  }
  const value = (): Json => {
    space()
    const char = text[at]
    if (char === '{') {
      at++
      const out: { [key: string]: Json } = {}
      space()
      if (text[at] === '}') return at++, out
      for (;;) {
        space()
        const key = value() as string
        space()
        at++ // ':'
        out[key] = value()
        space()
        if (text[at++] === '}') return out
      }
    }
    if (char === '[') {
      at++
      const out: Json[] = []
      space()
      if (text[at] === ']') return at++, out
      for (;;) {
        out.push(value())
        space()
        if (text[at++] === ']') return out
      }
    }
    if (char === '"') {
      const match = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(at))!
      at += match[0].length
      return JSON.parse(match[0]) as string
    }
    const match = /^(true|false|null|-?[0-9][0-9.eE+-]*)/.exec(text.slice(at))
    if (!match) throw new Error(`bad JSON at ${at}: ${text.slice(at, at + 20)}`)
    at += match[0].length
    if (match[0] === 'true') return true
    if (match[0] === 'false') return false
    if (match[0] === 'null') return null
    return { number: match[0] }
  }
  return value()
}

/** The rows of `expected/NAME.jsn.gz`. */
export function expectedRows(name: string): Json[] {
  const text = gunzipSync(readFileSync(new URL(`expected/${name}.jsn.gz`, FIXTURES))).toString('utf8')
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map(parseJsonExactly)
}

/** A value of either side in one comparable form, by its ORC type. */
export function comparable(value: OrcValue | Json, schema: OrcSchema, timeZone: string, expected: boolean): unknown {
  if (value === null || value === undefined) return null
  const number = (v: unknown): string => (expected ? (v as JsonNumber).number : String(v))
  switch (schema.kind) {
    case 'byte':
    case 'short':
    case 'int':
    case 'long':
      return number(value)
    case 'float':
      // Apache's tool prints floats to 7 significant digits (all a float32 holds).
      return Number((expected ? Number((value as JsonNumber).number) : (value as number)).toPrecision(7))
    case 'double':
      return expected ? Number((value as JsonNumber).number) : value
    case 'decimal':
      // Format 0.11 declares no scale; Apache's tool prints those at scale 6, cutting further digits off.
      if (schema.precision === undefined && !expected) return (value as string).replace(/(\.\d{6})\d+$/, '$1')
      return number(value)
    case 'binary':
      return expected ? (value as JsonNumber[]).map((byte) => Number(byte.number)) : Array.from(value as Uint8Array)
    case 'date':
      return expected ? value : new Date((value as number) * 86_400_000).toISOString().slice(0, 10)
    case 'timestamp':
    case 'timestamp_instant':
      return expected ? value : formatOrcTimestamp(value as OrcTimestamp, timeZone)
    case 'struct': {
      const row = value as Record<string, OrcValue>
      return Object.fromEntries(schema.fields!.map((field) => [field.name, comparable(row[field.name] ?? null, field.type, timeZone, expected)]))
    }
    case 'list':
      return (value as OrcValue[]).map((item) => comparable(item, schema.children![0]!, timeZone, expected))
    case 'map':
      return (value as { key: OrcValue; value: OrcValue }[]).map((entry) => ({
        key: comparable(entry.key, schema.children![0]!, timeZone, expected),
        value: comparable(entry.value, schema.children![1]!, timeZone, expected),
      }))
    case 'union': {
      const union = value as { tag: OrcValue | JsonNumber; value: OrcValue }
      const tag = expected ? Number((union.tag as JsonNumber).number) : (union.tag as number)
      return { tag, value: comparable(union.value, schema.children![tag]!, timeZone, expected) }
    }
    default:
      return value
  }
}
