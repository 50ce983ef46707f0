// A SQLite store on its own thread: the worker side of `openThreadPeer`. Each message calls one store
// method on this thread's own connection to the database file, so calls from several peers really run
// at the same time (better-sqlite3 is synchronous: connections in one thread never interleave).
import { parentPort, workerData } from 'node:worker_threads'
import { isInventoryError } from '@shuttersense/inventory-core'
import { createSqliteStore } from '../../src/sqlite.js'

interface Call {
  id: number
  method: string
  args: unknown[]
}

const store = createSqliteStore({ filename: (workerData as { filename: string }).filename }) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>

parentPort!.on('message', (call: Call) => {
  void (async () => {
    try {
      const value = await store[call.method]!(...call.args)
      parentPort!.postMessage({ id: call.id, value })
    } catch (error) {
      const failure = isInventoryError(error) ? { code: error.code, message: error.message } : { code: null, message: String((error as Error).message ?? error) }
      parentPort!.postMessage({ id: call.id, error: failure })
    }
  })()
})
