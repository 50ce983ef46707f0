import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { readAllBytes, toByteIterable } from '../src/io/to-byte-iterable.js'
import { collect, fromChunks } from './helpers.js'

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8')

function webStream(parts: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let index = 0
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[index++]
      if (part === undefined) controller.close()
      else controller.enqueue(bytes(part))
    },
    cancel() {
      onCancel?.()
    },
  })
}

describe('toByteIterable', () => {
  it('yields a Uint8Array as one chunk', async () => {
    const input = bytes('abc')
    expect(await collect(toByteIterable(input))).toEqual([input])
  })

  it('reads a web ReadableStream', async () => {
    const chunks = await collect(toByteIterable(webStream(['ab', 'cd', 'e'])))
    expect(Buffer.concat(chunks).toString()).toBe('abcde')
    expect(chunks).toHaveLength(3)
  })

  it('cancels a web ReadableStream when the consumer stops early', async () => {
    let cancelled = false
    const stream = webStream(['a', 'b', 'c'], () => (cancelled = true))
    for await (const chunk of toByteIterable(stream)) {
      expect(Buffer.from(chunk).toString()).toBe('a')
      break
    }
    expect(cancelled).toBe(true)
    expect(stream.locked).toBe(false)
  })

  it('reads a Node Readable and destroys it when the consumer stops early', async () => {
    const all = await collect(toByteIterable(Readable.from([bytes('x'), bytes('y')])))
    expect(Buffer.concat(all).toString()).toBe('xy')
    const readable = Readable.from([bytes('1'), bytes('2'), bytes('3')])
    for await (const chunk of toByteIterable(readable)) {
      expect(Buffer.from(chunk).toString()).toBe('1')
      break
    }
    expect(readable.destroyed).toBe(true)
  })

  it('reads any async iterable of bytes', async () => {
    const all = await collect(toByteIterable(fromChunks([bytes('p'), bytes('q')])))
    expect(Buffer.concat(all).toString()).toBe('pq')
  })
})

describe('readAllBytes', () => {
  it('returns a single chunk as it is', async () => {
    const input = bytes('single')
    expect(await readAllBytes(input)).toBe(input)
  })

  it('concatenates several chunks', async () => {
    expect(Buffer.from(await readAllBytes(webStream(['{"a"', ': 1}']))).toString()).toBe('{"a": 1}')
  })

  it('gives an empty buffer for an empty input', async () => {
    expect((await readAllBytes(fromChunks([]))).length).toBe(0)
  })
})
