import { existsSync } from 'node:fs'
import * as path from 'node:path'
import { Worker } from 'node:worker_threads'
import { InventoryError, type InventoryErrorCode, type InventoryStore } from '@shuttersense/inventory-core'

/** Where the vitest global setup bundles `sqlite-peer-worker.ts` (worker threads cannot load TypeScript). */
export const SQLITE_PEER_WORKER = path.resolve(import.meta.dirname, '../../../../node_modules/.cache/shuttersense-tests/sqlite-peer-worker.js')

/**
 * A peer of a SQLite store that runs on a worker thread with its own connection to the same file: its
 * calls race the other peers' for real (the conformance suite's race tests can fail on SQLite).
 */
export async function openThreadPeer(filename: string): Promise<InventoryStore> {
  if (!existsSync(SQLITE_PEER_WORKER)) throw new Error(`${SQLITE_PEER_WORKER} is missing: the vitest global setup builds it`)
  const worker = new Worker(SQLITE_PEER_WORKER, { workerData: { filename } })
  let next = 0
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  worker.on('message', (reply: { id: number; value?: unknown; error?: { code: InventoryErrorCode | null; message: string } }) => {
    const call = pending.get(reply.id)!
    pending.delete(reply.id)
    if (!reply.error) call.resolve(reply.value)
    else call.reject(reply.error.code ? new InventoryError(reply.error.code, reply.error.message) : new Error(reply.error.message))
  })
  worker.on('error', (error) => {
    for (const call of pending.values()) call.reject(error)
    pending.clear()
  })
  const call = (method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = next++
      pending.set(id, { resolve, reject })
      worker.postMessage({ id, method, args })
    })
  return new Proxy({} as InventoryStore, {
    get(_target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined
      if (name === 'close') {
        return async () => {
          await call('close', [])
          await worker.terminate()
        }
      }
      return (...args: unknown[]) => call(name, args)
    },
  })
}
