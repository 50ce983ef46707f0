import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OrcError, openOrcFile } from '../src/index.js'
import { FIXTURES, bytesFile } from './fixture-helpers.js'

/** Opens and reads every stripe of `bytes`; what it rejects with. */
async function readAll(bytes: Uint8Array, name: string, maxStripeBytes?: number): Promise<unknown> {
  try {
    const orc = await openOrcFile(bytesFile(bytes), { name })
    for await (const stripe of orc.readStripes({ maxStripeBytes })) void stripe
    await orc.readStripeStatistics()
    return undefined
  } catch (error) {
    return error
  }
}

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)))

function expectCorrupt(error: unknown, name: string): void {
  expect(error).toBeInstanceOf(OrcError)
  expect(error).toMatchObject({ code: 'DATA_FILE_CORRUPT', file: name })
  expect((error as Error).message.startsWith(`${name}: `)).toBe(true)
}

describe('corrupt ORC files', () => {
  it.each(readdirSync(new URL('corrupt/', FIXTURES)))('corrupt/%s is DATA_FILE_CORRUPT naming the file', async (name) => {
    expectCorrupt(await readAll(fixture(`corrupt/${name}`), name), name)
  })

  it('zero.orc (0 bytes) is DATA_FILE_CORRUPT naming the file', async () => {
    expectCorrupt(await readAll(fixture('zero.orc'), 'zero.orc'), 'zero.orc')
  })

  it('a file that is not ORC is DATA_FILE_CORRUPT', async () => {
    expectCorrupt(await readAll(new TextEncoder().encode('key,size\na,1\n'), 'data.csv'), 'data.csv')
    expectCorrupt(await readAll(new TextEncoder().encode('OR'), 'tiny.orc'), 'tiny.orc')
  })

  it.each(['TestOrcFile.test1.orc', 'TestVectorOrcFile.testLz4.orc', 'demo-11-zlib.orc', 'TestOrcFile.testSnappy.orc', 'TestVectorOrcFile.testZstd.0.12.orc'])(
    '%s truncated anywhere is DATA_FILE_CORRUPT',
    async (name) => {
      const bytes = fixture(name)
      const cuts = [3, 4, 100, Math.floor(bytes.length / 3), Math.floor(bytes.length / 2), bytes.length - 300, bytes.length - 20, bytes.length - 1]
      for (const cut of cuts) expectCorrupt(await readAll(bytes.subarray(0, cut), name), name)
    },
  )

  it.each(['TestOrcFile.test1.orc', 'TestOrcFile.testUnionAndTimestamp.orc', 'over1k_bloom.orc', 'TestStringDictionary.testRowIndex.orc', 'decimal.orc'])(
    '%s with damaged bytes decodes or is rejected with an OrcError, never another error',
    async (name) => {
      const bytes = fixture(name)
      let state = 12345
      const random = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
      for (let round = 0; round < 60; round++) {
        const damaged = bytes.slice()
        for (let flip = 0; flip < 4; flip++) damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256)
        const error = await readAll(damaged, name, 8 * 1024 * 1024)
        if (error !== undefined) expect(error, String(error)).toBeInstanceOf(OrcError)
      }
    },
  )
})
