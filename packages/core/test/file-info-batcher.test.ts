import { describe, expect, it } from 'vitest'
import { InventoryError } from '../src/errors.js'
import { createFileInfoBatcher } from '../src/pipeline/file-info-batcher.js'
import type { FileInfoWrite } from '../src/store.js'

const write = (i: number): FileInfoWrite => ({
  collectionId: `col_${i}`,
  options: { source: 'inventory', updatedAt: '2024-05-07T00:00:00.000Z' },
  replace: [],
})

describe('createFileInfoBatcher', () => {
  it('sends full batches (by rows or by collections) with one in flight, and reports each write done only once stored', async () => {
    const sent: string[][] = []
    const release: (() => void)[] = []
    let inFlight = 0
    let mostInFlight = 0
    const store = {
      writeFileInfoBatch: (writes: readonly FileInfoWrite[]) =>
        new Promise<void>((resolve) => {
          sent.push(writes.map((w) => w.collectionId))
          mostInFlight = Math.max(mostInFlight, ++inFlight)
          release.push(() => {
            inFlight--
            resolve()
          })
        }),
    }
    const batcher = createFileInfoBatcher(store, { limits: { rows: 10, collections: 3 } })
    const done: string[] = []
    expect(batcher.fits(10)).toBe(true)
    expect(batcher.fits(11)).toBe(false)
    await batcher.add(write(1), 6, () => done.push('col_1'))
    await batcher.add(write(2), 4, () => done.push('col_2')) // 10 rows: sent
    expect(sent).toEqual([['col_1', 'col_2']])
    expect(done).toEqual([])
    await batcher.add(write(3), 1, () => done.push('col_3'))
    await batcher.add(write(4), 1, () => done.push('col_4'))
    // The third collection fills the batch, which waits for the first to be stored.
    const third = batcher.add(write(5), 1, () => done.push('col_5'))
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(sent).toHaveLength(1)
    release.shift()!()
    await third
    expect(done).toEqual(['col_1', 'col_2'])
    expect(sent).toEqual([['col_1', 'col_2'], ['col_3', 'col_4', 'col_5']])
    await batcher.add(write(6), 1, () => done.push('col_6'))
    const drained = batcher.drain()
    release.shift()!()
    await new Promise((resolve) => setTimeout(resolve, 10))
    release.shift()!()
    await drained
    expect(done).toEqual(['col_1', 'col_2', 'col_3', 'col_4', 'col_5', 'col_6'])
    expect(mostInFlight).toBe(1)
  })

  it('throws a failed batch from the next add or drain, and never reports its writes done', async () => {
    const failure = new InventoryError('STORE_ERROR', 'the server is gone')
    const batcher = createFileInfoBatcher({ writeFileInfoBatch: () => Promise.reject(failure) }, { limits: { rows: 1, collections: 10 } })
    const done: string[] = []
    await batcher.add(write(1), 1, () => done.push('col_1'))
    await expect(batcher.add(write(2), 1, () => done.push('col_2'))).rejects.toBe(failure)
    await expect(batcher.drain()).rejects.toBe(failure)
    expect(done).toEqual([])
  })
})
