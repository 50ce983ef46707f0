import { describe, expect, it } from 'vitest'
import { CollectionRouter, normalizeFolderPath } from '../src/collection-router.js'
import { directFolderOf } from '../src/folders.js'

function route(router: CollectionRouter, key: string): number[] {
  return [...router.routeFolder(directFolderOf(key))].sort((a, b) => a - b)
}

describe('normalizeFolderPath', () => {
  it.each([
    ['2021/Wedding', '2021/Wedding/'],
    ['2021/Wedding/', '2021/Wedding/'],
    ['/2021/Wedding/', '2021/Wedding/'],
    ['//2021/Wedding', '2021/Wedding/'],
  ])('%j becomes %j', (input, output) => {
    expect(normalizeFolderPath(input)).toBe(output)
  })
})

describe('CollectionRouter', () => {
  const router = new CollectionRouter([
    { folderPath: '2021/' }, // 0
    { folderPath: '2021/Wedding/' }, // 1
    { folderPath: '2021/Wed' }, // 2 (written without the trailing slash)
    { folderPath: '/2021/Wedding/Smith-Jones/' }, // 3
    { folderPath: '2022/Trip/' }, // 4
  ])

  it('sends an object to every collection that contains it (nested collections each get it)', () => {
    expect(route(router, '2021/Wedding/Smith-Jones/c.jpg')).toEqual([0, 1, 3])
    expect(route(router, '2021/Wedding/a.jpg')).toEqual([0, 1])
    expect(route(router, '2021/cover.jpg')).toEqual([0])
  })

  it('does not mix up siblings that share a name prefix', () => {
    expect(route(router, '2021/Wedding/x')).not.toContain(2)
    expect(route(router, '2021/Wed/x.jpg')).toEqual([0, 2])
    expect(route(router, '2021/Weddings/x.jpg')).toEqual([0])
    expect(route(router, '2022/Trip2/x.jpg')).toEqual([])
  })

  it('sends the folder placeholder object to its own collection', () => {
    expect(route(router, '2022/Trip/')).toEqual([4])
  })

  it('sends objects of deeper, unbound folders to the nearest bound ancestors', () => {
    expect(route(router, '2022/Trip/day1/morning/a.jpg')).toEqual([4])
  })

  it('sends root objects and objects of unbound folders nowhere', () => {
    expect(route(router, 'root.jpg')).toEqual([])
    expect(route(router, 'elsewhere/a.jpg')).toEqual([])
    expect(router.routeFolder('')).toHaveLength(0)
  })

  it('is case-sensitive, as S3 keys are', () => {
    expect(route(router, '2021/wedding/a.jpg')).toEqual([0])
  })

  it('returns the same answer when asked twice (cached)', () => {
    const first = router.routeFolder('2021/Wedding/')
    expect(router.routeFolder('2021/Wedding/')).toEqual(first)
    expect([...first].sort()).toEqual([0, 1])
  })

  it('answers the same past its cache bound, over many folders', () => {
    const many = new CollectionRouter([{ folderPath: 'a/' }, { folderPath: 'a/b/' }])
    for (let i = 0; i < 10_000; i++) {
      expect(many.routeFolder(`a/b/${i}/`)).toEqual([0, 1])
      expect(many.routeFolder(`z/${i}/`)).toEqual([])
    }
    expect(many.routeFolder('a/b/7/')).toEqual([0, 1])
  })

  it('gives every collection bound to the same folder', () => {
    const twice = new CollectionRouter([{ folderPath: 'a/' }, { folderPath: '/a' }])
    expect(route(twice, 'a/b.jpg')).toEqual([0, 1])
  })

  it('reports whether any collection is bound', () => {
    expect(new CollectionRouter([]).isEmpty).toBe(true)
    expect(router.isEmpty).toBe(false)
    expect(route(new CollectionRouter([]), 'a/b.jpg')).toEqual([])
  })
})
