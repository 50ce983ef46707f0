import { describe, expect, it } from 'vitest'
import { suggestCollectionName, suggestUniqueCollectionNames } from '../src/names.js'

describe('suggestCollectionName', () => {
  it.each([
    ['2020/Milledgeville, GA/', '2020 - Milledgeville GA'],
    ['2021/Wedding/Smith-Jones/', '2021 - Wedding - Smith Jones'],
    ['archive/2019-06-15_concert/', 'Archive - 2019 06 15 Concert'],
  ])('gives the documented example %j -> %j', (path, name) => {
    expect(suggestCollectionName(path)).toBe(name)
  })

  it.each([
    ['trips/NYC/', 'Trips - NYC'],
    ['trips/nyc 2019/', 'Trips - Nyc 2019'],
    ['USA_trip/', 'USA Trip'],
  ])('keeps all-capital words: %j -> %j', (path, name) => {
    expect(suggestCollectionName(path)).toBe(name)
  })

  it.each([
    ['été/crème_brûlée/', 'Été - Crème Brûlée'],
    ['été/cre\u0300me_bru\u0302le\u0301e/', 'Été - Crème Brûlée'],
    ['ÖSTERREICH/wien/', 'ÖSTERREICH - Wien'],
    ['москва/лето/', 'Москва - Лето'],
    ['東京/夏/', '東京 - 夏'],
  ])('handles accents and other scripts: %j -> %j', (path, name) => {
    expect(suggestCollectionName(path)).toBe(name)
  })

  it('returns the NFC form of accented names', () => {
    expect(suggestCollectionName('e\u0301te\u0301/')).toBe('\u00c9t\u00e9')
  })

  it.each([
    ['a   b/', 'A B'],
    ['  padded  /', 'Padded'],
    ['tabs\there/', 'Tabs Here'],
    ['a _ - b/', 'A B'],
    ['a__b--c/', 'A B C'],
    ['x , y/', 'X Y'],
  ])('collapses runs of spaces, underscores and dashes: %j -> %j', (path, name) => {
    expect(suggestCollectionName(path)).toBe(name)
  })

  it.each([
    ['2nd shoot/', '2nd Shoot'],
    ['35mm/', '35mm'],
    ['1ST/', '1ST'],
    ['wEDDING/', 'Wedding'],
    ['a/', 'A'],
    ['(draft)/', '(Draft)'],
  ])('title-cases words: %j -> %j', (path, name) => {
    expect(suggestCollectionName(path)).toBe(name)
  })

  it('ignores empty path parts and works without a trailing slash', () => {
    expect(suggestCollectionName('/2021//Wedding')).toBe('2021 - Wedding')
  })

  it('falls back to Untitled when nothing is left', () => {
    expect(suggestCollectionName('')).toBe('Untitled')
    expect(suggestCollectionName('/')).toBe('Untitled')
    expect(suggestCollectionName('_/-/,/')).toBe('Untitled')
  })
})

describe('suggestUniqueCollectionNames', () => {
  it('adds (2), (3), … to clashes, in folder order', () => {
    const folders = ['a/wedding/', 'b/Wedding/', 'a_b/', 'c/WEDDING/', 'a-b/', 'a b/']
    expect(suggestUniqueCollectionNames(folders)).toEqual([
      'A - Wedding',
      'B - Wedding',
      'A B',
      'C - WEDDING',
      'A B (2)',
      'A B (3)',
    ])
  })

  it('treats names that differ only by case as clashes', () => {
    expect(suggestUniqueCollectionNames(['nyc/', 'NYC/'])).toEqual(['Nyc', 'NYC (2)'])
  })

  it('respects names already taken, without regard to case', () => {
    expect(suggestUniqueCollectionNames(['wedding/', 'wedding/'], ['wedding', 'Wedding (2)'])).toEqual([
      'Wedding (3)',
      'Wedding (4)',
    ])
    expect(suggestUniqueCollectionNames(['x/'], new Set(['Y']))).toEqual(['X'])
  })

  it('does not reuse a suffixed name that a later folder would give', () => {
    expect(suggestUniqueCollectionNames(['a/', 'a/', 'a (2)/'])).toEqual(['A', 'A (2)', 'A (2) (2)'])
  })

  it('returns [] for no folders', () => {
    expect(suggestUniqueCollectionNames([])).toEqual([])
  })
})
