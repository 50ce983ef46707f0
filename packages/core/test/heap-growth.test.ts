import { describe, expect, it, vi } from 'vitest'

const setFlagsFromString = vi.fn()
vi.mock('node:v8', () => ({ setFlagsFromString }))
const { limitHeapGrowth } = await import('../src/node/heap-growth.js')

describe('limitHeapGrowth', () => {
  it('sets V8 heap growth to the given percentage, 25 by default', () => {
    limitHeapGrowth()
    limitHeapGrowth(50)
    expect(setFlagsFromString.mock.calls).toEqual([['--heap-growing-percent=25'], ['--heap-growing-percent=50']])
  })

  it('refuses what is not a whole positive percentage', () => {
    expect(() => limitHeapGrowth(0)).toThrow(RangeError)
    expect(() => limitHeapGrowth(12.5)).toThrow(RangeError)
  })
})
