import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { isInventoryError } from '@shuttersense/inventory-core'
import { applyMigrations, countOf, EMPTY, firstOf, join, raw, rowsOf, sql, type SqlSteps } from '../src/index.js'
import { createSqliteSqlRunner } from '../src/sqlite.js'
import { isIn, lockRows, prefixConditions, whereAll } from '../src/shared/sql/clauses.js'
import { compile } from '../src/shared/sql/statement.js'
import { runSteps } from '../src/shared/sql/steps.js'
import { postgresDialect } from '../src/postgres/postgres-sql.js'
import { sqliteDialect } from '../src/sqlite/sqlite-sql.js'

describe('the SQL layer: one statement, rendered per dialect', () => {
  const statement = (kinds: string[], connectorId?: string) =>
    sql`SELECT * FROM ${raw('jobs')} ${whereAll([
      sql`status = ${'queued'}`,
      ...(connectorId === undefined ? [] : [sql`connector_id = ${connectorId}`]),
      isIn('kind', kinds),
    ])} LIMIT ${5}${lockRows('update skip locked')}`

  it('numbers Postgres placeholders in order of appearance, through nested fragments, and uses ? in SQLite', () => {
    expect(compile(statement(['import', 'test'], 'con_1'), postgresDialect)).toEqual({
      text: 'SELECT * FROM jobs WHERE status = $1 AND connector_id = $2 AND kind IN ($3, $4) LIMIT $5 FOR UPDATE SKIP LOCKED',
      values: ['queued', 'con_1', 'import', 'test', 5],
    })
    expect(compile(statement(['import', 'test'], 'con_1'), sqliteDialect)).toEqual({
      text: 'SELECT * FROM jobs WHERE status = ? AND connector_id = ? AND kind IN (?, ?) LIMIT ?',
      values: ['queued', 'con_1', 'import', 'test', 5],
    })
  })

  it('leaves out what is not asked for, and matches nothing for an empty list', () => {
    expect(compile(sql`SELECT 1${EMPTY} ${whereAll([])}`, sqliteDialect).text).toBe('SELECT 1 ')
    expect(compile(statement([]), postgresDialect)).toEqual({
      text: 'SELECT * FROM jobs WHERE status = $1 AND 1 = 0 LIMIT $2 FOR UPDATE SKIP LOCKED',
      values: ['queued', 5],
    })
  })

  it('tests a prefix with a range and the exact test of each dialect', () => {
    const where = join(prefixConditions('key', 'a/b'), ' AND ')
    expect(compile(where, postgresDialect)).toEqual({ text: 'key >= $1 AND key < $2 AND starts_with(key, $3)', values: ['a/b', 'a/c', 'a/b'] })
    expect(compile(where, sqliteDialect)).toEqual({ text: 'key >= ? AND key < ? AND substr(key, 1, length(?)) = ?', values: ['a/b', 'a/c', 'a/b', 'a/b'] })
  })
})

describe('the SQL layer: steps', () => {
  it('hands each statement its result, and throws a failed statement into the steps, which may catch it', () => {
    const seen: string[] = []
    function* steps(): SqlSteps<string> {
      const rows = yield* rowsOf<{ n: number }>(sql`SELECT ${1} AS n`)
      try {
        yield sql`BROKEN`
      } catch (error) {
        return `rows ${rows.length}, then ${(error as Error).message}`
      }
      return 'not reached'
    }
    const result = runSteps(steps(), (statement) => {
      const { text } = compile(statement, sqliteDialect)
      seen.push(text)
      if (text === 'BROKEN') throw new Error('syntax error')
      return { rows: [{ n: 1 }], count: 1 }
    })
    expect(result).toBe('rows 1, then syntax error')
    expect(seen).toEqual(['SELECT ? AS n', 'BROKEN'])
  })

  it('runs on SQLite: a transaction rolls back when its steps throw, failures are store errors, migrations apply once', async () => {
    const db = new Database(':memory:')
    const run = createSqliteSqlRunner(db)
    const migrations = [{ id: 1, sql: 'CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL); CREATE INDEX notes_body ON notes (body);' }]
    await applyMigrations(run, migrations, 'notes_migrations')
    await applyMigrations(run, migrations, 'notes_migrations')
    expect(await run.autocommit(() => countOf(sql`INSERT INTO notes (id, body) VALUES (${'n1'}, ${'one'})`))).toBe(1)
    await expect(
      run.transaction(function* () {
        yield sql`INSERT INTO notes (id, body) VALUES (${'n2'}, ${'two'})`
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    const duplicate = await run.autocommit(() => countOf(sql`INSERT INTO notes (id, body) VALUES (${'n1'}, ${'again'})`)).catch((error: unknown) => error)
    expect(isInventoryError(duplicate, 'STORE_ERROR')).toBe(true)
    expect(await run.autocommit(() => rowsOf<{ id: string }>(sql`SELECT id FROM notes ORDER BY id`))).toEqual([{ id: 'n1' }])
    expect(await run.autocommit(() => firstOf<{ n: number }>(sql`SELECT count(*) AS n FROM notes_migrations`))).toEqual({ n: 1 })
    db.close()
  })
})
