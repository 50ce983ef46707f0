import type { SqlDialect } from './dialect.js'

// One statement text for both databases: SQL is written once as a template, values become parameters,
// and each dialect supplies its placeholders and the few clauses the databases spell differently.

/** A piece of SQL that renders itself for a dialect (a lock clause, a prefix test). */
export type DialectPart = (dialect: SqlDialect, param: (value: unknown) => string) => string

const RAW = Symbol('raw SQL')
const PART = Symbol('dialect part')

/** A statement (or part of one) not yet bound to a dialect: text pieces, with values or parts between them. */
export class SqlFragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}
}

interface Raw {
  readonly [RAW]: string
}
interface Part {
  readonly [PART]: DialectPart
}

/**
 * SQL with its values as parameters: `` sql`SELECT * FROM jobs WHERE id = ${id}` ``. An interpolated
 * {@link SqlFragment} is spliced in, {@link raw} text is inserted as is, a {@link part} renders for the
 * dialect; any other value becomes a parameter.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  return new SqlFragment(strings, values)
}

/** Trusted SQL text (a column or table name chosen by the code, never by a caller). */
export function raw(text: string): Raw {
  return { [RAW]: text }
}

/** SQL the dialect renders (see {@link SqlDialect}). */
export function part(render: DialectPart): Part {
  return { [PART]: render }
}

/** The empty fragment, for a clause that is left out. */
export const EMPTY = sql``

/** `fragments` joined by `separator` (e.g. conditions by ` AND `). */
export function join(fragments: readonly SqlFragment[], separator: string): SqlFragment {
  const strings = ['', ...fragments.slice(1).map(() => separator), '']
  return new SqlFragment(strings, fragments)
}

/**
 * Several statements in one text and without parameters (a migration): run as a script (SQLite's
 * `exec`, Postgres' simple query protocol), never prepared.
 */
export class SqlScript extends SqlFragment {
  constructor(text: string) {
    super([text], [])
  }
}

/** A statement bound to a dialect: what a driver executes. */
export interface CompiledSql {
  readonly text: string
  readonly values: unknown[]
}

/** The text and parameters of `fragment` in `dialect`. */
export function compile(fragment: SqlFragment, dialect: SqlDialect): CompiledSql {
  const values: unknown[] = []
  const param = (value: unknown): string => {
    values.push(value)
    return dialect.placeholder(values.length)
  }
  const render = (piece: SqlFragment): string => {
    let text = piece.strings[0]!
    for (let i = 0; i < piece.values.length; i++) {
      const value = piece.values[i]
      if (value instanceof SqlFragment) text += render(value)
      else if (isRaw(value)) text += value[RAW]
      else if (isPart(value)) text += value[PART](dialect, param)
      else text += param(value)
      text += piece.strings[i + 1]!
    }
    return text
  }
  return { text: render(fragment), values }
}

const isRaw = (value: unknown): value is Raw => typeof value === 'object' && value !== null && RAW in value
const isPart = (value: unknown): value is Part => typeof value === 'object' && value !== null && PART in value
