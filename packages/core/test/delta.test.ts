import { describe, expect, it } from 'vitest'
import { computeDelta, diffFileInfo, isModified } from '../src/delta.js'
import { sortByKey } from '../src/folders.js'
import type { FileInfo } from '../src/types.js'
import { fromChunks, seededRandom, shuffled } from './helpers.js'

function f(key: string, size = 1, etag = 'e1', lastModified = '2024-01-01T00:00:00.000Z'): FileInfo {
  return { key, size, lastModified, etag, storageClass: 'STANDARD' }
}

const PREVIOUS: FileInfo[] = [
  f('a/same.jpg'),
  f('a/touched.jpg', 1, 'e1', '2024-01-01T00:00:00.000Z'),
  f('a/etag.jpg', 1, 'e1'),
  f('a/size.jpg', 1, 'e1'),
  f('a/gone1.jpg'),
  f('a/gone2.jpg'),
]
const CURRENT: FileInfo[] = [
  f('a/same.jpg'),
  f('a/touched.jpg', 1, 'e1', '2025-06-01T00:00:00.000Z'),
  f('a/etag.jpg', 1, 'e2'),
  f('a/size.jpg', 2, 'e1'),
  f('a/new2.jpg'),
  f('a/new1.jpg'),
]

describe('isModified', () => {
  it('is true when the ETag or the size differs, not for a new last-modified alone', () => {
    expect(isModified(f('k', 1, 'x'), f('k', 1, 'y'))).toBe(true)
    expect(isModified(f('k', 1, 'x'), f('k', 2, 'x'))).toBe(true)
    const older = f('k', 1, 'x', '2020-01-01T00:00:00.000Z')
    expect(isModified(older, f('k', 1, 'x', '2024-01-01T00:00:00.000Z'))).toBe(false)
    expect(isModified(f('k'), { ...f('k'), storageClass: 'GLACIER' })).toBe(false)
  })
})

describe('computeDelta', () => {
  it('counts and lists new, modified, deleted and unchanged files', async () => {
    const delta = await computeDelta([PREVIOUS], CURRENT)
    expect(delta.counts).toEqual({ new: 2, modified: 2, deleted: 2, unchanged: 2 })
    expect(delta.new).toEqual([f('a/new1.jpg'), f('a/new2.jpg')])
    expect(delta.deleted).toEqual([f('a/gone1.jpg'), f('a/gone2.jpg')])
    expect(delta.modified).toEqual([
      { key: 'a/etag.jpg', before: f('a/etag.jpg', 1, 'e1'), after: f('a/etag.jpg', 1, 'e2') },
      { key: 'a/size.jpg', before: f('a/size.jpg', 1, 'e1'), after: f('a/size.jpg', 2, 'e1') },
    ])
    expect(delta.truncated).toBe(false)
    expect(delta.baseline).toBe(false)
  })

  it('reads the previous files from an async iterable of batches', async () => {
    const delta = await computeDelta(fromChunks([PREVIOUS.slice(0, 2), [], PREVIOUS.slice(2)]), CURRENT)
    expect(delta.counts).toEqual({ new: 2, modified: 2, deleted: 2, unchanged: 2 })
  })

  it('is a baseline when there is nothing previous: every file is new', async () => {
    const delta = await computeDelta([], CURRENT)
    expect(delta.baseline).toBe(true)
    expect(delta.counts).toEqual({ new: 6, modified: 0, deleted: 0, unchanged: 0 })
    expect(delta.new.map((file) => file.key)).toEqual([
      'a/etag.jpg', 'a/new1.jpg', 'a/new2.jpg', 'a/same.jpg', 'a/size.jpg', 'a/touched.jpg',
    ])
    expect((await computeDelta([[], []], CURRENT)).baseline).toBe(true)
  })

  it('counts every previous file as deleted when nothing is current', async () => {
    const delta = await computeDelta([PREVIOUS], [])
    expect(delta.counts).toEqual({ new: 0, modified: 0, deleted: 6, unchanged: 0 })
    expect(delta.baseline).toBe(false)
  })

  it('caps the lists at listLimit but keeps counts exact, and flags truncation', async () => {
    const previous = Array.from({ length: 50 }, (_, i) => f(`old/${String(i).padStart(3, '0')}`))
    const changed = Array.from({ length: 30 }, (_, i) => f(`chg/${String(i).padStart(3, '0')}`))
    const current = [
      ...Array.from({ length: 40 }, (_, i) => f(`new/${String(i).padStart(3, '0')}`)),
      ...changed.map((file) => ({ ...file, etag: 'changed' })),
    ]
    const delta = await computeDelta([[...previous, ...changed]], current, { listLimit: 3 })
    expect(delta.counts).toEqual({ new: 40, modified: 30, deleted: 50, unchanged: 0 })
    expect(delta.new.map((file) => file.key)).toEqual(['new/000', 'new/001', 'new/002'])
    expect(delta.deleted.map((file) => file.key)).toEqual(['old/000', 'old/001', 'old/002'])
    expect(delta.modified.map((change) => change.key)).toEqual(['chg/000', 'chg/001', 'chg/002'])
    expect(delta.truncated).toBe(true)
  })

  it('is not truncated when the lists hold exactly listLimit entries', async () => {
    const delta = await computeDelta([[f('x'), f('y')]], [f('p'), f('q')], { listLimit: 2 })
    expect(delta.new).toHaveLength(2)
    expect(delta.deleted).toHaveLength(2)
    expect(delta.truncated).toBe(false)
  })

  it('keeps empty lists with listLimit 0, counts still exact', async () => {
    const delta = await computeDelta([PREVIOUS], CURRENT, { listLimit: 0 })
    expect(delta.counts).toEqual({ new: 2, modified: 2, deleted: 2, unchanged: 2 })
    expect([delta.new, delta.modified, delta.deleted]).toEqual([[], [], []])
    expect(delta.truncated).toBe(true)
  })

  it('defaults listLimit to 1000', async () => {
    const current = Array.from({ length: 1005 }, (_, i) => f(`k/${String(i).padStart(5, '0')}`))
    const delta = await computeDelta([], current)
    expect(delta.new).toHaveLength(1000)
    expect(delta.new.at(-1)?.key).toBe('k/00999')
    expect(delta.truncated).toBe(true)
  })

  it('gives the same, key-sorted lists whatever the input order and batching', async () => {
    const random = seededRandom(5)
    const previous = Array.from({ length: 300 }, (_, i) => f(`p/${i}`, 1, i % 3 === 0 ? 'old' : 'e1'))
    const current = [
      ...previous.filter((_, i) => i % 2 === 0).map((file) => ({ ...file, etag: 'e1' })),
      ...Array.from({ length: 120 }, (_, i) => f(`n/${i}`)),
    ]
    const reference = await computeDelta([previous], current, { listLimit: 7 })
    const sortedKeys = (keys: string[]): string[] => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    expect(reference.new.map((x) => x.key)).toEqual(sortedKeys(reference.new.map((x) => x.key)))
    const newKeys = current.map((x) => x.key).filter((k) => k[0] === 'n')
    expect(reference.new.map((x) => x.key)).toEqual(sortedKeys(newKeys).slice(0, 7))
    expect(reference.deleted.map((x) => x.key)).toEqual(
      sortedKeys(previous.filter((_, i) => i % 2 === 1).map((x) => x.key)).slice(0, 7),
    )
    for (let round = 0; round < 15; round++) {
      const order = shuffled(previous, random)
      const batches: FileInfo[][] = []
      for (let i = 0; i < order.length; ) {
        const size = 1 + Math.floor(random() * 40)
        batches.push(order.slice(i, i + size))
        i += size
      }
      const delta = await computeDelta(fromChunks(batches), shuffled(current, random), { listLimit: 7 })
      expect(delta).toEqual(reference)
    }
  })
})

describe('diffFileInfo', () => {
  it('lists every row to write: new files, and changed rows even when the file is not "modified"', async () => {
    const { delta, changes, previousCount } = await diffFileInfo([PREVIOUS], CURRENT)
    expect(previousCount).toBe(PREVIOUS.length)
    expect(delta).toEqual(await computeDelta([PREVIOUS], CURRENT))
    expect(changes.upserts.map((file) => file.key).sort()).toEqual(
      ['a/etag.jpg', 'a/new1.jpg', 'a/new2.jpg', 'a/size.jpg', 'a/touched.jpg'].sort(),
    )
    expect(changes.deletes.sort()).toEqual(['a/gone1.jpg', 'a/gone2.jpg'])
    const archived = { ...f('a/same.jpg'), storageClass: 'GLACIER' }
    expect((await diffFileInfo([[f('a/same.jpg')]], [archived])).changes).toEqual({ upserts: [archived], deletes: [] })
  })

  it('gives the same answer for key-ordered input (merged) as for any order (looked up by key)', async () => {
    const random = seededRandom(11)
    // Keys whose code-unit order differs from their code-point order, beside plain ones.
    const keys = Array.from({ length: 400 }, (_, i) => `k/${i % 7 === 0 ? '\u{1F4F7}' : i % 5 === 0 ? '\uFF21' : ''}${i}`)
    const byKeyOrder = (files: FileInfo[]): FileInfo[] => sortByKey([...files], (file) => file.key)
    const previous = byKeyOrder(keys.filter((_, i) => i % 4 !== 0).map((key, i) => f(key, 1, i % 6 === 0 ? 'old' : 'e1')))
    const current = byKeyOrder(
      keys.filter((_, i) => i % 3 !== 0).map((key, i) => f(key, 1, 'e1', i % 10 === 0 ? '2025-01-01T00:00:00.000Z' : undefined)),
    )
    const normalised = (result: Awaited<ReturnType<typeof diffFileInfo>>) => ({
      ...result,
      changes: { upserts: byKeyOrder(result.changes.upserts), deletes: [...result.changes.deletes].sort() },
    })
    const reference = normalised(await diffFileInfo([shuffled(previous, random)], shuffled(current, random), { listLimit: 9 }))
    expect(reference.delta.counts.new + reference.delta.counts.modified + reference.delta.counts.deleted).toBeGreaterThan(100)
    // In key order throughout; then out of order from the middle of the stored rows, mid-batch.
    const sorted = await diffFileInfo(fromChunks([previous.slice(0, 150), previous.slice(150)]), current, { listLimit: 9 })
    expect(normalised(sorted)).toEqual(reference)
    const turning = [...previous.slice(0, 170), ...shuffled(previous.slice(170), random)]
    const late = await diffFileInfo(fromChunks([turning.slice(0, 150), turning.slice(150)]), current, { listLimit: 9 })
    expect(normalised(late)).toEqual(reference)
    // Stored rows in key order, the current files as a report lists them (what phase B hands over).
    const unsortedCurrent = await diffFileInfo(fromChunks([previous.slice(0, 150), previous.slice(150)]), shuffled(current, random), { listLimit: 9 })
    expect(normalised(unsortedCurrent)).toEqual(reference)
  })

  it("takes a first import's files in any order: every file new, every one an upsert, the list in key order", async () => {
    const random = seededRandom(5)
    const files = shuffled(Array.from({ length: 300 }, (_, i) => f(`b/${i % 3 === 0 ? '\u{1F4F7}' : ''}${i}.jpg`, i)), random)
    const { delta, changes, previousCount } = await diffFileInfo([], files, { listLimit: 10 })
    expect(previousCount).toBe(0)
    expect(delta).toMatchObject({ baseline: true, truncated: true, counts: { new: 300, modified: 0, deleted: 0, unchanged: 0 } })
    expect(delta.new).toEqual(sortByKey([...files], (file) => file.key).slice(0, 10))
    expect(changes).toEqual({ upserts: files, deletes: [] })
  })

  it('keeps complete change lists whatever the delta list limit', async () => {
    const previous = Array.from({ length: 50 }, (_, i) => f(`a/${i}`))
    const { delta, changes } = await diffFileInfo([previous], [], { listLimit: 3 })
    expect(delta.deleted.length).toBe(3)
    expect(changes.deletes.length).toBe(50)
  })
})
