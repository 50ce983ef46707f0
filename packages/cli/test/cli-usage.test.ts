import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './helpers.js'

describe('usage', () => {
  it('prints usage for --help and exits 0', async () => {
    const result = await runCli(['--help'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Usage: shuttersense-inventory')
  })

  it.each([
    [['frobnicate']],
    [['import', '--db', 'x.db']],
    [['generate', '--objects', 'many', '--out', '/tmp/x']],
    [['generate', '--objects', '10', '--files', '0', '--out', '/tmp/never-written']],
    [['import', '--from', '/tmp/none', '--source-bucket', 'b', '--config', 'c', '--db', '/tmp/none.db', '--workers=many']],
    [['folders']],
    [['import', '--unknown-flag']],
    [['collections', 'rename']],
  ])('exits 64 with the usage for %j', async (argv) => {
    const result = await runCli(argv)
    expect(result.code).toBe(64)
    expect(result.stderr).toMatch(/^error: /)
    expect(result.stderr).toContain('Usage:')
  })

  it('exits 1 for an unknown collection', async () => {
    const result = await runCli(['delta', '--db', ':memory:', '--collection', 'col_nope'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('[NOT_FOUND]')
  })
})

const BIN = path.resolve(import.meta.dirname, '../dist/bin.js')

describe.skipIf(!existsSync(BIN))('the built binary', () => {
  it('runs as a program and returns the exit code', () => {
    expect(execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' })).toContain('Usage:')
    const failed = spawnSync(process.execPath, [BIN, 'nope'], { encoding: 'utf8' })
    expect(failed.status).toBe(64)
  })
})
