import { describe, expect, it } from 'vitest'
import type { FileInfo, FolderSummary } from '../src/types.js'
import { FolderAccumulator, compareKeys, directFolderOf, foldersDownTo, isInKeyOrder, isoMillis, sortByKey, sortFilesByKey } from '../src/folders.js'
import { seededRandom, shuffled } from './helpers.js'

function obj(key: string, size: number, lastModified = '2024-01-01T00:00:00.000Z'): FileInfo {
  return { key, size, lastModified, etag: 'e', storageClass: 'STANDARD' }
}

function summariesOf(...batches: FileInfo[][]): { acc: FolderAccumulator; summaries: FolderSummary[] } {
  const acc = new FolderAccumulator()
  for (const batch of batches) acc.add(batch)
  return { acc, summaries: acc.summaries() }
}

const RECORDS: FileInfo[] = [
  obj('root.jpg', 1000, '2024-09-01T00:00:00.000Z'),
  obj('other-root.txt', 1, '2020-01-01T00:00:00.000Z'),
  obj('2021/', 0, '2021-01-01T00:00:00.000Z'),
  obj('2021/cover.jpg', 10, '2021-02-01T00:00:00.000Z'),
  obj('2021/Wedding/a.jpg', 100, '2021-06-01T00:00:00.000Z'),
  obj('2021/Wedding/b.jpg', 200, '2021-06-02T00:00:00.000Z'),
  obj('2021/Wedding/Smith-Jones/c.jpg', 300, '2021-07-01T00:00:00.000Z'),
  obj('2021/Wedding/Smith-Jones/d.jpg', 400, '2021-05-01T00:00:00.000Z'),
  obj('2022/x/y/z/deep.jpg', 5, '2022-03-03T00:00:00.000Z'),
  obj('2022/x/shallow.jpg', 6, '2022-01-01T00:00:00.000Z'),
]

const EXPECTED: FolderSummary[] = [
  {
    path: '2021/',
    objectCount: 6,
    totalSizeBytes: 1010,
    directObjectCount: 2,
    directSizeBytes: 10,
    lastModified: '2021-07-01T00:00:00.000Z',
  },
  {
    path: '2021/Wedding/',
    objectCount: 4,
    totalSizeBytes: 1000,
    directObjectCount: 2,
    directSizeBytes: 300,
    lastModified: '2021-07-01T00:00:00.000Z',
  },
  {
    path: '2021/Wedding/Smith-Jones/',
    objectCount: 2,
    totalSizeBytes: 700,
    directObjectCount: 2,
    directSizeBytes: 700,
    lastModified: '2021-07-01T00:00:00.000Z',
  },
  {
    path: '2022/',
    objectCount: 2,
    totalSizeBytes: 11,
    directObjectCount: 0,
    directSizeBytes: 0,
    lastModified: '2022-03-03T00:00:00.000Z',
  },
  {
    path: '2022/x/',
    objectCount: 2,
    totalSizeBytes: 11,
    directObjectCount: 1,
    directSizeBytes: 6,
    lastModified: '2022-03-03T00:00:00.000Z',
  },
  {
    path: '2022/x/y/',
    objectCount: 1,
    totalSizeBytes: 5,
    directObjectCount: 0,
    directSizeBytes: 0,
    lastModified: '2022-03-03T00:00:00.000Z',
  },
  {
    path: '2022/x/y/z/',
    objectCount: 1,
    totalSizeBytes: 5,
    directObjectCount: 1,
    directSizeBytes: 5,
    lastModified: '2022-03-03T00:00:00.000Z',
  },
]

describe('directFolderOf and foldersDownTo', () => {
  it.each([
    ['a/b/c.jpg', 'a/b/'],
    ['a/', 'a/'],
    ['c.jpg', ''],
    ['a//b', 'a//'],
  ])('directFolderOf(%j) is %j', (key, folder) => {
    expect(directFolderOf(key)).toBe(folder)
  })

  it('lists every folder from the top down', () => {
    expect(foldersDownTo('a/b/c/')).toEqual(['a/', 'a/b/', 'a/b/c/'])
    expect(foldersDownTo('a/')).toEqual(['a/'])
    expect(foldersDownTo('')).toEqual([])
  })
})

describe('compareKeys', () => {
  it('orders by code unit, not by locale', () => {
    const keys = ['b', 'B', 'a', 'é', 'e', 'Z', '10', '9', 'a/', 'a-']
    expect([...keys].sort(compareKeys)).toEqual(['10', '9', 'B', 'Z', 'a', 'a-', 'a/', 'b', 'e', 'é'])
    expect(compareKeys('x', 'x')).toBe(0)
  })

  it('orders by UTF-8 bytes: characters beyond U+FFFF after U+E000–U+FFFF, as stores do', () => {
    const keys = ['a/🌨.jpg', 'a/\uFF21.jpg', 'a/\uE000.jpg', 'a/z.jpg', 'a/', 'a/🌨']
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    expect([...keys].sort(compareKeys)).toEqual(byBytes)
    expect(byBytes).not.toEqual([...keys].sort())
    expect(sortByKey([...keys], (key) => key)).toEqual(byBytes)
    expect(sortByKey(['b', 'a', 'é'], (key) => key)).toEqual(['a', 'b', 'é'])
  })
})

describe('FolderAccumulator', () => {
  it('gives direct and subtree figures of nested folders', () => {
    const { acc, summaries } = summariesOf(RECORDS)
    expect(summaries).toEqual(EXPECTED)
    expect(acc.directFolderCount).toBe(5)
  })

  it('counts root objects in the totals but puts them in no folder', () => {
    const { acc, summaries } = summariesOf(RECORDS)
    expect(acc.objectCount).toBe(10)
    expect(acc.totalSizeBytes).toBe(1000 + 1 + 0 + 10 + 100 + 200 + 300 + 400 + 5 + 6)
    expect(summaries.some((s) => s.path === '' || s.path === '/')).toBe(false)
  })

  it('counts a folder placeholder key as an object directly in that folder', () => {
    const { summaries } = summariesOf([obj('inventory-test/', 0), obj('inventory-test/key1', 5)])
    expect(summaries).toEqual([
      {
        path: 'inventory-test/',
        objectCount: 2,
        totalSizeBytes: 5,
        directObjectCount: 2,
        directSizeBytes: 5,
        lastModified: '2024-01-01T00:00:00.000Z',
      },
    ])
    const alone = summariesOf([obj('empty/sub/', 0, '2023-03-03T00:00:00.000Z')]).summaries
    expect(alone.map((s) => [s.path, s.objectCount, s.directObjectCount])).toEqual([
      ['empty/', 1, 0],
      ['empty/sub/', 1, 1],
    ])
  })

  it('gives the same result for shuffled input and any batching', () => {
    const random = seededRandom(11)
    for (let round = 0; round < 25; round++) {
      const order = shuffled(RECORDS, random)
      const cut = Math.floor(random() * order.length)
      const { acc, summaries } = summariesOf(order.slice(0, cut), order.slice(cut))
      expect(summaries).toEqual(EXPECTED)
      expect(acc.objectCount).toBe(10)
    }
    const oneByOne = summariesOf(...RECORDS.map((record) => [record]))
    expect(oneByOne.summaries).toEqual(EXPECTED)
  })

  it('does not confuse folders of the same length that follow each other', () => {
    const { summaries } = summariesOf([obj('ab/1', 1), obj('cd/2', 2), obj('ab/3', 3), obj('abc/4', 4)])
    expect(summaries.map((s) => [s.path, s.directObjectCount, s.directSizeBytes])).toEqual([
      ['ab/', 2, 4],
      ['abc/', 1, 4],
      ['cd/', 1, 2],
    ])
  })

  it('keeps the newest last-modified whatever the order', () => {
    const { summaries } = summariesOf([
      obj('a/1', 1, '2024-01-02T00:00:00.000Z'),
      obj('a/2', 1, '2024-03-01T00:00:00.000Z'),
      obj('a/3', 1, '2024-02-01T00:00:00.000Z'),
    ])
    expect(summaries[0]?.lastModified).toBe('2024-03-01T00:00:00.000Z')
  })

  it('sorts summaries by path in code-unit order', () => {
    const { summaries } = summariesOf([obj('b/1', 1), obj('B/1', 1), obj('a/b/1', 1), obj('a-/1', 1)])
    expect(summaries.map((s) => s.path)).toEqual(['B/', 'a-/', 'a/', 'a/b/', 'b/'])
  })

  it('is empty before anything is added', () => {
    const acc = new FolderAccumulator()
    acc.add([])
    expect(acc.summaries()).toEqual([])
    expect(acc.objectCount).toBe(0)
    expect(acc.totalSizeBytes).toBe(0)
    expect(acc.directFolderCount).toBe(0)
  })
})

/** The summaries the slow, obvious way: every object counted into each of its folders. */
function naiveSummaries(records: readonly FileInfo[]): FolderSummary[] {
  const byPath = new Map<string, FolderSummary>()
  for (const record of records) {
    const folder = record.key.slice(0, record.key.lastIndexOf('/') + 1)
    for (const path of foldersDownTo(folder)) {
      const summary = byPath.get(path) ?? { path, objectCount: 0, totalSizeBytes: 0, directObjectCount: 0, directSizeBytes: 0, lastModified: null }
      byPath.set(path, summary)
      summary.objectCount++
      summary.totalSizeBytes += record.size
      if (path === folder) {
        summary.directObjectCount++
        summary.directSizeBytes += record.size
      }
      if (summary.lastModified === null || record.lastModified > summary.lastModified) summary.lastModified = record.lastModified
    }
  }
  return [...byPath.values()].sort((a, b) => compareKeys(a.path, b.path))
}

describe('FolderAccumulator.takeSummaries', () => {
  it('yields the summaries, each folder after its subfolders, then forgets the folders but keeps the totals', () => {
    const acc = new FolderAccumulator()
    acc.add(RECORDS)
    const taken = [...acc.takeSummaries()]
    expect(sortByKey([...taken], (summary) => summary.path)).toEqual(EXPECTED)
    for (const [index, summary] of taken.entries()) {
      const subfolders = taken.filter((other) => other.path !== summary.path && other.path.startsWith(summary.path))
      expect(subfolders.every((subfolder) => taken.indexOf(subfolder) < index)).toBe(true)
    }
    expect(acc.directFolderCount).toBe(0)
    expect(acc.summaries()).toEqual([])
    expect([acc.objectCount, acc.totalSizeBytes]).toEqual([RECORDS.length, RECORDS.reduce((sum, record) => sum + record.size, 0)])
  })

  it('forgets each folder as the walk reaches it', () => {
    const acc = new FolderAccumulator()
    acc.add(RECORDS)
    const before = acc.directFolderCount
    const walk = acc.takeSummaries()
    walk.next()
    expect(acc.directFolderCount).toBeLessThan(before)
    walk.return(undefined)
    expect(acc.directFolderCount).toBe(0)
  })

  it('holds thousands of folders, revisited in any order across batches', () => {
    const random = seededRandom(21)
    const records = Array.from({ length: 12_000 }, (_, i) =>
      obj(`y${i % 7}/f${i % 3001}/${i}.jpg`, i, new Date(Date.UTC(2020, 0, 1) + ((i * 7919) % 100_000) * 60_000).toISOString()),
    )
    const acc = new FolderAccumulator()
    const shuffledRecords = shuffled(records, random)
    for (let i = 0; i < shuffledRecords.length; i += 500) acc.add(shuffledRecords.slice(i, i + 500))
    expect(acc.directFolderCount).toBeGreaterThan(3000)
    expect(acc.summaries()).toEqual(naiveSummaries(records))
  })

  it('matches summaries() on many random trees, odd characters included', () => {
    const random = seededRandom(3)
    const parts = ['a', 'a-b', 'a0', 'a b', 'é', '\u{1F4F7}', '\uFF21', 'z']
    for (let round = 0; round < 20; round++) {
      const records = Array.from({ length: 200 }, (_, i) => {
        const depth = Math.floor(random() * 4)
        const path = Array.from({ length: depth }, () => parts[Math.floor(random() * parts.length)]).join('/')
        return obj(`${path}${depth > 0 ? '/' : ''}f${i}.jpg`, i, `2024-01-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00.000Z`)
      })
      const acc = new FolderAccumulator()
      acc.add(shuffled(records, random))
      const expected = naiveSummaries(records)
      expect(acc.summaries()).toEqual(expected)
      expect(sortByKey([...acc.takeSummaries()], (summary) => summary.path)).toEqual(expected)
    }
  })
})

describe('FolderAccumulator.releaseFolders', () => {
  it('forgets the folders but keeps the totals, and takes new objects afterwards', () => {
    const folders = new FolderAccumulator()
    folders.add([{ key: 'a/b/1.jpg', size: 5, lastModified: '2024-01-01T00:00:00.000Z', etag: 'e', storageClass: 'STANDARD' }])
    folders.releaseFolders()
    expect(folders.summaries()).toEqual([])
    expect(folders.directFolderCount).toBe(0)
    expect([folders.objectCount, folders.totalSizeBytes]).toEqual([1, 5])
    folders.add([{ key: 'a/b/2.jpg', size: 3, lastModified: '2024-01-02T00:00:00.000Z', etag: 'e', storageClass: 'STANDARD' }])
    expect(folders.summaries().map((summary) => [summary.path, summary.objectCount])).toEqual([
      ['a/', 1],
      ['a/b/', 1],
    ])
  })
})

describe('FolderAccumulator.takeDirect / mergeDirect', () => {
  it('merging rollups made apart equals one rollup of everything', () => {
    const record = (key: string, size: number, day: number) => ({
      key,
      size,
      lastModified: `2024-01-0${day}T00:00:00.000Z`,
      etag: 'e',
      storageClass: 'STANDARD',
    })
    const first = [record('a/b/1.jpg', 5, 1), record('a/2.jpg', 7, 3), record('root.txt', 1, 1)]
    const second = [record('a/b/3.jpg', 2, 4), record('c/4.jpg', 9, 2)]
    const whole = new FolderAccumulator()
    whole.add(first)
    whole.add(second)
    const merged = new FolderAccumulator()
    for (const part of [first, second]) {
      const apart = new FolderAccumulator()
      apart.add(part)
      merged.mergeDirect(apart.takeDirect())
      // It handed its arrays over: nothing is left to count twice.
      expect([apart.objectCount, apart.summaries()]).toEqual([0, []])
    }
    expect(merged.summaries()).toEqual(whole.summaries())
    expect([merged.objectCount, merged.totalSizeBytes]).toEqual([whole.objectCount, whole.totalSizeBytes])
  })
})

describe('isoMillis', () => {
  it('gives what Date.parse gives for canonical times, leap days and the epoch included', () => {
    const random = seededRandom(5)
    const times = ['1970-01-01T00:00:00.000Z', '2000-02-29T23:59:59.999Z', '1969-12-31T23:59:59.999Z', '2100-03-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z']
    for (let i = 0; i < 2000; i++) times.push(new Date(Math.floor((random() - 0.3) * 8e12)).toISOString())
    for (const time of times.filter((t) => t.length === 24)) expect(isoMillis(time)).toBe(Date.parse(time))
  })

  it('falls back to Date.parse for other spellings, and -Infinity for no date', () => {
    expect(isoMillis('2024-05-06T22:44:22Z')).toBe(Date.parse('2024-05-06T22:44:22Z'))
    expect(isoMillis('yesterday')).toBe(-Infinity)
    expect(isoMillis('2024-05-06T22:44:2x.000Z')).toBe(-Infinity)
  })
})

describe('isInKeyOrder and sortFilesByKey', () => {
  it('follow compareKeys (UTF-8 byte order) where code-unit order differs: a character beyond U+FFFF after U+FF21', () => {
    const keys = ['a/\uFF21', 'a/\u{1F4F7}', 'a/b', 'a/', 'a/\uE000', 'a/\uD7FF']
    const files = keys.map((key) => ({ key }))
    const sorted = sortFilesByKey([...files]).map((file) => file.key)
    expect(sorted).toEqual([...keys].sort(compareKeys))
    expect(sorted.indexOf('a/\uFF21')).toBeLessThan(sorted.indexOf('a/\u{1F4F7}'))
    expect(isInKeyOrder(sorted.map((key) => ({ key })))).toBe(true)
    // In order by code unit, not by code point.
    expect(isInKeyOrder([{ key: 'a/\u{1F4F7}' }, { key: 'a/\uFF21' }])).toBe(false)
    expect(isInKeyOrder([{ key: 'a/2' }, { key: 'a/1' }])).toBe(false)
    expect(isInKeyOrder([{ key: 'a/1' }, { key: 'a/1' }])).toBe(false)
    expect(isInKeyOrder([])).toBe(true)
  })
})
