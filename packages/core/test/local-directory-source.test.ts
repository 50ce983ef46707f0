import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Volume, createFsFromVolume } from 'memfs'
import { describe, expect, it } from 'vitest'
import { type LocalFs, createLocalDirectorySource } from '../src/node/local-directory-source.js'
import { AWS_FIXTURES, collectBytes, expectCode } from './helpers.js'

const ROOT = '/inventory'

function memorySource(files: Record<string, string | Buffer>, root = ROOT) {
  const volume = Volume.fromJSON(
    Object.fromEntries(Object.entries(files).map(([key, value]) => [`${root}/${key}`, value])),
  )
  const fs = createFsFromVolume(volume) as unknown as LocalFs
  return createLocalDirectorySource(root, { fs })
}

/** A file system whose every call fails with the given errno code. */
function failingFs(code: string): LocalFs {
  const fail = (): never => {
    throw Object.assign(new Error(`${code}: simulated`), { code })
  }
  return {
    promises: {
      readdir: async () => fail(),
      readFile: async () => fail(),
    },
    createReadStream: () => ({
      [Symbol.asyncIterator]: () => ({ next: async () => fail() }),
    }),
  }
}

const FILES = {
  'photos/daily/2024-05-06T01-00Z/manifest.json': '{"a":1}',
  'photos/daily/2024-05-07T01-00Z/manifest.json': '{"b":2}',
  'photos/daily/2024-05-07T01-00Z/manifest.checksum': 'abc\n',
  'photos/daily/data/x.csv.gz': '0123456789',
  'photos/daily/stray.txt': 'not a folder',
  'top.txt': 'top',
}

describe('createLocalDirectorySource', () => {
  it('lists the sub-folders directly under a prefix, as full prefixes', async () => {
    const source = memorySource(FILES)
    expect((await source.listFolders('any-bucket', 'photos/daily/')).sort()).toEqual([
      'photos/daily/2024-05-06T01-00Z/',
      'photos/daily/2024-05-07T01-00Z/',
      'photos/daily/data/',
    ])
    expect(await source.listFolders('b', 'photos/')).toEqual(['photos/daily/'])
    expect(await source.listFolders('b', '')).toEqual(['photos/'])
  })

  it('lists no folders under a prefix that does not exist or is a file', async () => {
    const source = memorySource(FILES)
    expect(await source.listFolders('b', 'nope/')).toEqual([])
    expect(await source.listFolders('b', 'top.txt/')).toEqual([])
  })

  it('reads small objects, and undefined for a missing one', async () => {
    const source = memorySource(FILES)
    const bytes = await source.readObject('b', 'photos/daily/2024-05-07T01-00Z/manifest.json')
    expect(Buffer.from(bytes!).toString()).toBe('{"b":2}')
    expect(await source.readObject('b', 'photos/daily/2024-05-06T01-00Z/manifest.checksum')).toBeUndefined()
    expect(await source.readObject('b', 'top.txt/inside')).toBeUndefined()
  })

  it('streams an object from the start or from a byte offset', async () => {
    const source = memorySource(FILES)
    const key = 'photos/daily/data/x.csv.gz'
    expect((await collectBytes(source.streamObject('b', key))).toString()).toBe('0123456789')
    expect((await collectBytes(source.streamObject('b', key, { start: 4 }))).toString()).toBe('456789')
  })

  it('streams a large object whole', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17)
    for (let i = 0; i < big.length; i++) big[i] = i % 251
    const source = memorySource({ 'big.bin': big })
    expect((await collectBytes(source.streamObject('b', 'big.bin'))).equals(big)).toBe(true)
  })

  it('streams a missing object as NOT_FOUND naming the key', async () => {
    const source = memorySource(FILES)
    const read = () => collectBytes(source.streamObject('b', 'photos/daily/data/gone.csv.gz'))
    const error = await expectCode(read, 'NOT_FOUND')
    expect(error.file).toBe('photos/daily/data/gone.csv.gz')
  })

  it('refuses keys that escape the directory with INVALID_ARGUMENT', async () => {
    const source = memorySource({ ...FILES })
    await expectCode(() => source.readObject('b', '../outside.txt'), 'INVALID_ARGUMENT')
    await expectCode(() => source.readObject('b', 'photos/../../inventory-other/x'), 'INVALID_ARGUMENT')
    await expectCode(() => source.listFolders('b', '../'), 'INVALID_ARGUMENT')
    await expectCode(() => collectBytes(source.streamObject('b', '../../etc/passwd')), 'INVALID_ARGUMENT')
  })

  it('accepts keys with .. that stay inside the directory', async () => {
    const source = memorySource(FILES)
    expect(Buffer.from((await source.readObject('b', 'photos/../top.txt'))!).toString()).toBe('top')
  })

  it('refuses symbolic links that lead out of its directory, and follows those that stay inside', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'local-source-'))
    try {
      const root = path.join(dir, 'inventory')
      mkdirSync(path.join(root, 'photos'), { recursive: true })
      mkdirSync(path.join(dir, 'outside'))
      writeFileSync(path.join(dir, 'outside', 'secret.txt'), 'secret')
      writeFileSync(path.join(root, 'photos', 'own.txt'), 'own')
      symlinkSync(path.join(dir, 'outside', 'secret.txt'), path.join(root, 'photos', 'secret.txt'))
      symlinkSync(path.join(dir, 'outside'), path.join(root, 'linked'))
      symlinkSync(path.join(root, 'photos', 'own.txt'), path.join(root, 'alias.txt'))
      const source = createLocalDirectorySource(root)
      const refused = await expectCode(() => source.readObject('b', 'photos/secret.txt'), 'INVALID_ARGUMENT')
      expect(refused.message).toContain('photos/secret.txt')
      await expectCode(() => collectBytes(source.streamObject('b', 'photos/secret.txt')), 'INVALID_ARGUMENT')
      await expectCode(() => source.readObject('b', 'linked/secret.txt'), 'INVALID_ARGUMENT')
      await expectCode(() => source.listFolders('b', 'linked/'), 'INVALID_ARGUMENT')
      expect(Buffer.from((await source.readObject('b', 'alias.txt'))!).toString()).toBe('own')
      expect(await source.readObject('b', 'photos/missing.txt')).toBeUndefined()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads at most maxBytes + 1 bytes when asked', async () => {
    const source = memorySource({ 'big.txt': 'x'.repeat(1000) })
    expect(await source.readObject('b', 'big.txt', { maxBytes: 10 })).toHaveLength(11)
    expect(await source.readObject('b', 'big.txt', { maxBytes: 5000 })).toHaveLength(1000)
    expect(await source.readObject('b', 'missing.txt', { maxBytes: 10 })).toBeUndefined()
  })

  it.each([
    ['EACCES', 'ACCESS_DENIED'],
    ['EPERM', 'ACCESS_DENIED'],
    ['EIO', 'SOURCE_ERROR'],
  ] as const)('maps %s to %s for every call', async (errno, code) => {
    const source = createLocalDirectorySource(ROOT, { fs: failingFs(errno) })
    const list = await expectCode(() => source.listFolders('b', 'p/'), code)
    expect(list.file).toBe('p/')
    expect(list.cause).toMatchObject({ code: errno })
    const read = await expectCode(() => source.readObject('b', 'p/manifest.json'), code)
    expect(read.file).toBe('p/manifest.json')
    const stream = await expectCode(() => collectBytes(source.streamObject('b', 'p/x.gz')), code)
    expect(stream.file).toBe('p/x.gz')
  })

  it('maps ENOTDIR like ENOENT', async () => {
    const source = createLocalDirectorySource(ROOT, { fs: failingFs('ENOTDIR') })
    expect(await source.listFolders('b', 'p/')).toEqual([])
    expect(await source.readObject('b', 'p/m')).toBeUndefined()
    await expectCode(() => collectBytes(source.streamObject('b', 'p/x')), 'NOT_FOUND')
  })

  it('turns string chunks into bytes', async () => {
    const fs: LocalFs = {
      promises: { readdir: async () => [], readFile: async () => new Uint8Array() },
      createReadStream: () =>
        (async function* () {
          yield 'été'
          yield Buffer.from('!')
        })(),
    }
    const source = createLocalDirectorySource(ROOT, { fs })
    expect((await collectBytes(source.streamObject('b', 'k'))).toString('utf8')).toBe('été!')
  })

  it('counts its requests by type', async () => {
    const source = memorySource(FILES)
    expect(source.requestCounts?.()).toEqual({})
    await source.listFolders('b', 'photos/daily/')
    await source.readObject('b', 'top.txt')
    await source.readObject('b', 'missing')
    await collectBytes(source.streamObject('b', 'top.txt'))
    const counts = source.requestCounts?.()
    expect(counts).toEqual({ list: 1, read: 3 })
    counts!.list = 99
    expect(source.requestCounts?.()).toEqual({ list: 1, read: 3 })
  })

  it('reads the real file system by default', async () => {
    const source = createLocalDirectorySource(AWS_FIXTURES)
    const bytes = await source.readObject('b', 'csv_inventory_manifest.checksum')
    expect(bytes).toHaveLength(33)
    expect(await source.readObject('b', 'no-such-file')).toBeUndefined()
  })
})
