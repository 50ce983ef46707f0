import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { build } from 'tsup'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { limitHeapGrowth } from '../src/node/heap-growth.js'

// A process that keeps ~60 MB live and allocates garbage fast, as an import does, and prints the
// largest heap V8 let it have. The flag changes the whole process, so each measurement is a process of its own.
const PROGRAM = `
import { getHeapStatistics } from 'node:v8'
import { limitHeapGrowth } from './heap-growth.js'
if (process.argv[2] !== 'default') limitHeapGrowth(Number(process.argv[2]))
const live = []
for (let i = 0; i < 400_000; i++) live.push({ a: i, b: 'x' + i })
let peak = 0
for (let round = 0; round < 200; round++) {
  const garbage = []
  for (let i = 0; i < 50_000; i++) garbage.push({ a: i, b: 'y' + i })
  peak = Math.max(peak, getHeapStatistics().total_heap_size)
}
console.log(JSON.stringify({ peak, live: live.length }))
`

describe('limitHeapGrowth', () => {
  let dir: string
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'heap-growth-'))
    // Built from the source under test: a child process cannot load TypeScript.
    await build({
      config: false,
      entry: { 'heap-growth': path.resolve(import.meta.dirname, '../src/node/heap-growth.ts') },
      outDir: dir,
      format: ['esm'],
      dts: false,
      silent: true,
    })
    writeFileSync(path.join(dir, 'program.mjs'), PROGRAM)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const peakHeapMb = (growth: string): number =>
    (JSON.parse(execFileSync(process.execPath, [path.join(dir, 'program.mjs'), growth], { encoding: 'utf8' })) as { peak: number }).peak / 1e6

  it('keeps the heap near its live size where V8 by default lets it grow to several times that', () => {
    const byDefault = peakHeapMb('default')
    const limited = peakHeapMb('10')
    // Measured: ~100 MB limited, 180-200 MB by default, for ~60 MB live.
    expect(limited).toBeLessThan(byDefault * 0.75)
    expect(limited).toBeLessThan(130)
  })

  it('refuses what is not a whole positive percentage', () => {
    expect(() => limitHeapGrowth(0)).toThrow(RangeError)
    expect(() => limitHeapGrowth(12.5)).toThrow(RangeError)
  })
})
