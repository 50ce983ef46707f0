import { describe, expect, it } from 'vitest'
import { folderGuid } from '../src/node.js'
import { newId } from '../src/internal.js'

describe('ids', () => {
  it('newId: the prefix and 32 hex digits, never the same twice', () => {
    expect(newId('col')).toMatch(/^col_[0-9a-f]{32}$/)
    expect(newId('job')).not.toBe(newId('job'))
  })

  it('folderGuid: stable per connector and path, different otherwise', () => {
    const id = folderGuid('con_1', '2021/Wedding/')
    expect(id).toMatch(/^fld_[0-9a-f]{32}$/)
    expect(folderGuid('con_1', '2021/Wedding/')).toBe(id)
    expect(folderGuid('con_2', '2021/Wedding/')).not.toBe(id)
    expect(folderGuid('con_1', '2021/Wedding/Smith/')).not.toBe(id)
    // The separator keeps (connector, path) pairs apart that would concatenate alike.
    expect(folderGuid('con_1a', 'b/')).not.toBe(folderGuid('con_1', 'ab/'))
  })
})
