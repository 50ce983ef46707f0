import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, tempDir } from './helpers.js'

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

const PACKAGE = path.resolve(import.meta.dirname, '..')
const BIN = path.join(PACKAGE, 'bin', 'shuttersense-inventory.js')

describe('the installed command', () => {
  it('is a committed file, so npm links it before anything is built', () => {
    const manifest = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] }
    expect(path.resolve(PACKAGE, manifest.bin['shuttersense-inventory']!)).toBe(BIN)
    expect(manifest.files).toContain('bin')
    expect(statSync(BIN).mode & 0o111).not.toBe(0)
  })

  it.skipIf(!existsSync(path.join(PACKAGE, 'dist', 'bin.js')))('runs the build as a program and returns the exit code', () => {
    expect(execFileSync(BIN, ['--help'], { encoding: 'utf8' })).toContain('Usage:')
    const failed = spawnSync(process.execPath, [BIN, 'nope'], { encoding: 'utf8' })
    expect(failed.status).toBe(64)
  })

  it('says how to build when there is no build', () => {
    const { dir, cleanup } = tempDir()
    try {
      mkdirSync(path.join(dir, 'bin'))
      copyFileSync(BIN, path.join(dir, 'bin', 'shuttersense-inventory.js'))
      const result = spawnSync(process.execPath, [path.join(dir, 'bin', 'shuttersense-inventory.js'), '--help'], { encoding: 'utf8' })
      expect(result.status).toBe(1)
      expect(result.stderr).toContain('run `npm run build`')
    } finally {
      cleanup()
    }
  })
})

describe('the quiet build of npm run demo', () => {
  const QUIET = path.resolve(PACKAGE, '../../scripts/quiet-build.mjs')
  it('prints nothing when the build succeeds', () => {
    const result = spawnSync(process.execPath, [QUIET, process.execPath, '-e', 'console.log("pages of build output")'], { encoding: 'utf8' })
    expect(result).toMatchObject({ status: 0, stdout: '', stderr: '' })
  })
  it('prints the output and exits non-zero when it fails', () => {
    const result = spawnSync(process.execPath, [QUIET, process.execPath, '-e', 'console.log("tsc: error"); process.exit(3)'], { encoding: 'utf8' })
    expect(result.status).toBe(3)
    expect(result.stdout).toContain('tsc: error')
    expect(result.stderr).toContain('build failed')
  })
  it('is what the root scripts build with', () => {
    const scripts = (JSON.parse(readFileSync(path.resolve(PACKAGE, '../../package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts.demo).toMatch(/^node scripts\/quiet-build\.mjs && /)
  })
})
