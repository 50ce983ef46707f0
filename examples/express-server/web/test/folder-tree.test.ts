import { describe, expect, it } from 'vitest'
import type { Folder } from '../src/api/types.js'
import { flattenTree, folderName, moveFocus, parentOf, rangeBetween, sortPaths, type Level, type TreeRow } from '../src/view-model/folder-tree.js'

const folder = (path: string, objectCount: number, directObjectCount: number, totalSizeBytes: number, lastModified: string | null): Folder => ({
  guid: `fld_${'0'.repeat(32)}`,
  path,
  objectCount,
  totalSizeBytes,
  directObjectCount,
  directSizeBytes: totalSizeBytes / 2,
  lastModified,
  hasChildren: objectCount > directObjectCount,
  collectionGuid: null,
  suggestedName: path,
})

const FOLDERS = [
  folder('2020/', 10, 0, 1000, '2024-01-01T00:00:00.000Z'),
  folder('2020/Wedding/', 6, 6, 600, '2024-01-01T00:00:00.000Z'),
  folder('2020/Zoo/', 4, 4, 400, '2023-01-01T00:00:00.000Z'),
  folder('2021/', 30, 30, 50, '2022-06-01T00:00:00.000Z'),
  folder('2022/', 20, 20, 5000, null),
]
const byPath = new Map(FOLDERS.map((f) => [f.path, f]))
const level = (paths: string[], complete = true): Level => ({ paths, complete, error: null })
const folderRows = (rows: TreeRow[]) => rows.map((r) => (r.kind === 'folder' ? `${'  '.repeat(r.level - 1)}${r.path} ${r.posInSet}/${r.setSize}` : `${r.kind}:${r.parent}`))

describe('the folder tree as rows', () => {
  it('names and parents of paths', () => {
    expect(folderName('2020/Wedding/')).toBe('Wedding')
    expect(folderName('2020/')).toBe('2020')
    expect(parentOf('2020/Wedding/')).toBe('2020/')
    expect(parentOf('2020/')).toBe('')
  })

  it('shows expanded levels depth first, with a loading row while a level is on the way', () => {
    const levels = new Map([['', level(['2020/', '2021/', '2022/'])]])
    const sorted = new Map([['', ['2020/', '2021/', '2022/']]])
    expect(folderRows(flattenTree(sorted, levels, new Set()))).toEqual(['2020/ 1/3', '2021/ 2/3', '2022/ 3/3'])
    // Expanded, first page not yet in.
    expect(folderRows(flattenTree(sorted, levels, new Set(['2020/'])))).toEqual(['2020/ 1/3', 'loading:2020/', '2021/ 2/3', '2022/ 3/3'])
    levels.set('2020/', level(['2020/Wedding/', '2020/Zoo/']))
    sorted.set('2020/', ['2020/Wedding/', '2020/Zoo/'])
    expect(folderRows(flattenTree(sorted, levels, new Set(['2020/'])))).toEqual(['2020/ 1/3', '  2020/Wedding/ 1/2', '  2020/Zoo/ 2/2', '2021/ 2/3', '2022/ 3/3'])
    levels.set('2020/', { paths: [], complete: false, error: 'HTTP 503' })
    sorted.set('2020/', [])
    expect(flattenTree(sorted, levels, new Set(['2020/']))[1]).toEqual({ kind: 'error', parent: '2020/', level: 2, message: 'HTTP 503' })
  })

  it('sorts by name (the server order), count, size or date, subtree or direct, stably', () => {
    const top = ['2020/', '2021/', '2022/']
    expect(sortPaths(top, byPath, { key: 'name', descending: true }, 'subtree')).toEqual(['2022/', '2021/', '2020/'])
    expect(sortPaths(top, byPath, { key: 'count', descending: true }, 'subtree')).toEqual(['2021/', '2022/', '2020/'])
    expect(sortPaths(top, byPath, { key: 'count', descending: false }, 'direct')).toEqual(['2020/', '2022/', '2021/'])
    expect(sortPaths(top, byPath, { key: 'size', descending: true }, 'subtree')).toEqual(['2022/', '2020/', '2021/'])
    // No date sorts as the oldest.
    expect(sortPaths(top, byPath, { key: 'date', descending: true }, 'subtree')).toEqual(['2020/', '2021/', '2022/'])
    const ties = [folder('a/', 1, 1, 1, null), folder('b/', 1, 1, 1, null), folder('c/', 1, 1, 1, null)]
    expect(sortPaths(['a/', 'b/', 'c/'], new Map(ties.map((f) => [f.path, f])), { key: 'size', descending: true }, 'subtree')).toEqual(['a/', 'b/', 'c/'])
  })

  it('a range covers the shown folders between anchor and target, either way, skipping note rows', () => {
    const rows: TreeRow[] = [
      { kind: 'folder', path: '2020/', level: 1, posInSet: 1, setSize: 3, expanded: true },
      { kind: 'loading', parent: '2020/', level: 2 },
      { kind: 'folder', path: '2021/', level: 1, posInSet: 2, setSize: 3, expanded: false },
      { kind: 'folder', path: '2022/', level: 1, posInSet: 3, setSize: 3, expanded: false },
    ]
    expect(rangeBetween(rows, '2022/', '2020/')).toEqual(['2020/', '2021/', '2022/'])
    expect(rangeBetween(rows, '2021/', '2021/')).toEqual(['2021/'])
    expect(rangeBetween(rows, 'gone/', '2021/')).toEqual(['2021/'])
    expect(moveFocus(rows, 0, 'ArrowDown', 10)).toBe(2)
    expect(moveFocus(rows, 2, 'ArrowUp', 10)).toBe(0)
    expect(moveFocus(rows, 0, 'End', 10)).toBe(3)
    expect(moveFocus(rows, 3, 'Home', 10)).toBe(0)
    expect(moveFocus(rows, 0, 'PageDown', 10)).toBe(3)
    expect(moveFocus(rows, 3, 'ArrowDown', 10)).toBe(3)
    expect(moveFocus(rows, 0, 'x', 10)).toBeNull()
  })

  it('10,000 siblings: sorted by a figure and flattened into 10,001 rows (the list renders only the rows in view)', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => folder(`2020/event-${String(i).padStart(5, '0')}/`, (i * 7919) % 10_007, 0, i, null))
    const map = new Map(many.map((f) => [f.path, f]))
    const paths = many.map((f) => f.path)
    const bySize = sortPaths(paths, map, { key: 'count', descending: true }, 'subtree')
    expect(bySize).toHaveLength(10_000)
    expect(map.get(bySize[0]!)!.objectCount).toBe(Math.max(...many.map((f) => f.objectCount)))
    const rows = flattenTree(new Map([['', ['2020/']], ['2020/', bySize]]), new Map([['', level(['2020/'])], ['2020/', level(paths)]]), new Set(['2020/']))
    expect(rows).toHaveLength(10_001)
    expect(rows[10_000]).toMatchObject({ kind: 'folder', level: 2, posInSet: 10_000, setSize: 10_000 })
  })
})
