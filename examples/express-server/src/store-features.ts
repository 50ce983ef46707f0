import type { Collection, FileInfo, ImportJob, InventoryStore, StoredDelta } from '@shuttersense/inventory-core'
import { HttpError } from './errors.js'

/**
 * Store methods of the job model and catalog additions (CONTRACTS §2, §5) that a store may not have
 * yet. The routes call them through here: a store without one answers 501 instead of guessing.
 */
export interface NewerStoreMethods {
  enqueueJob(connectorId: string, options: { kind: 'refresh' | 'test'; payload?: Record<string, unknown>; actor?: string; now?: Date }): Promise<ImportJob>
  cancelJob(jobId: string, options: { actor?: string; now?: Date }): Promise<ImportJob>
  deleteConnector(id: string): Promise<void>
  updateCollection(id: string, patch: { name: string }): Promise<Collection>
  deleteCollection(id: string): Promise<void>
  listDeltas(collectionId: string, options: { limit?: number; cursor?: string }): Promise<{ deltas: StoredDelta[]; nextCursor: string | null }>
  listFileInfo(
    collectionId: string,
    options: { prefix?: string; cursor?: string; limit?: number },
  ): Promise<{ files: FileInfo[]; nextCursor: string | null }>
}

export function storeHas<K extends keyof NewerStoreMethods>(store: InventoryStore, name: K): boolean {
  return typeof (store as unknown as Record<string, unknown>)[name] === 'function'
}

/** The method, bound to the store, or a 501 naming what is missing. */
export function storeMethod<K extends keyof NewerStoreMethods>(store: InventoryStore, name: K): NewerStoreMethods[K] {
  const method = (store as unknown as Record<string, unknown>)[name]
  if (typeof method !== 'function') throw new HttpError(501, 'NOT_IMPLEMENTED', `this store does not support ${name} yet`)
  return (method as (...args: unknown[]) => unknown).bind(store) as NewerStoreMethods[K]
}
