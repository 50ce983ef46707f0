import { describe, expect, it } from 'vitest'
import { FolderSlots } from '../src/folder-slots.js'
import { seededRandom } from './helpers.js'

describe('FolderSlots', () => {
  it('numbers each path once, in first-seen order, through table, arena and array growth', () => {
    const slots = new FolderSlots()
    const random = seededRandom(9)
    // Long paths make the arena grow; many paths make the table rehash and the slot arrays grow.
    const paths = Array.from({ length: 5000 }, (_, i) => `${'deep/'.repeat(1 + Math.floor(random() * 40))}folder ${i}/`)
    const encoder = new TextEncoder()
    paths.forEach((path, i) => {
      const bytes = encoder.encode(`xx${path}yy`)
      expect(slots.slotOf(bytes, 2, bytes.length - 2)).toBe(i)
    })
    expect(slots.size).toBe(paths.length)
    paths.forEach((path, i) => {
      expect(slots.slotOfName(path)).toBe(i)
      expect(slots.nameOf(i)).toBe(path)
    })
    expect(slots.size).toBe(paths.length)
  })

  it('tells apart paths of equal hash-table position and length, and non-ASCII paths', () => {
    const slots = new FolderSlots()
    const names = ['a/', 'b/', 'ab/', 'ba/', 'é/', 'e\u0301/', '😀/', '']
    for (const name of names) slots.slotOfName(name)
    expect(names.map((name) => slots.slotOfName(name))).toEqual(names.map((_, i) => i))
    expect(names.map((_, i) => slots.nameOf(i))).toEqual(names)
  })

  it('decodes a forgotten name again', () => {
    const slots = new FolderSlots()
    slots.slotOfName('a/')
    slots.slotOfName('éb/')
    slots.forgetName(1)
    expect(slots.nameOf(1)).toBe('éb/')
  })

  it('hands over every path as bytes and ends, its own arrays, and is empty afterwards', () => {
    const slots = new FolderSlots()
    expect(slots.takePaths().size).toBe(0)
    slots.slotOfName('a/')
    slots.slotOfName('éb/')
    const { size, bytes, ends } = slots.takePaths()
    expect(size).toBe(2)
    expect(new TextDecoder().decode(bytes.subarray(0, ends[size - 1]))).toBe('a/éb/')
    expect([...ends.subarray(0, size)]).toEqual([2, 6])
    expect(slots.size).toBe(0)
    // Taken paths are new ones again, numbered from 0.
    expect(slots.slotOfName('éb/')).toBe(0)
    expect(slots.nameOf(0)).toBe('éb/')
  })
})
