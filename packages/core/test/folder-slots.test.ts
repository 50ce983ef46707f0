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

  it('gives every path as bytes and ends, and decodes a forgotten name again', () => {
    const slots = new FolderSlots()
    expect(slots.paths()).toEqual({ bytes: new Uint8Array(0), ends: new Int32Array(0) })
    slots.slotOfName('a/')
    slots.slotOfName('éb/')
    const { bytes, ends } = slots.paths()
    expect(new TextDecoder().decode(bytes)).toBe('a/éb/')
    expect([...ends]).toEqual([2, 6])
    slots.forgetName(1)
    expect(slots.nameOf(1)).toBe('éb/')
  })
})
