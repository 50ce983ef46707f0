import type { InventoryStore } from '../store.js'
import { describeAuditLogConformance } from './audit-log-conformance.js'
import { describeCatalogStoreConformance } from './catalog-store-conformance.js'
import { describeImportStoreConformance, inventoryStoreFixtures } from './import-store-conformance.js'
import { describeJobQueueConformance } from './job-queue-conformance.js'

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /** A new, empty, migrated store for each test. */
  createStore(): Promise<InventoryStore>
  /** Called after each test with the store it used (drop a schema, delete a file); the suite closes the store after it. */
  destroyStore?(store: InventoryStore): Promise<void>
  /**
   * A second store on the same database as `store` (another connection or pool), closed by the test.
   * Enables the race tests; omit it for a backend that cannot have two.
   */
  openPeer?(store: InventoryStore): Promise<InventoryStore>
}

/**
 * The behaviour every `InventoryStore` (a store of every part) must have: the suites of the import part,
 * the catalog, the job queue and the audit log, one after the other. Call it once per backend:
 * `describeStoreConformance('sqlite', { createStore })`. Backends add only their own extras. A store of
 * some parts runs those parts' suites alone (`describeImportStoreConformance`, …).
 * @param name - names the backend in the suite's titles (`sqlite`, `my store`)
 */
export function describeStoreConformance(name: string, options: StoreConformanceOptions): void {
  const part = {
    createStore: () => options.createStore(),
    async destroyStore(store: InventoryStore): Promise<void> {
      try {
        await options.destroyStore?.(store)
      } finally {
        await store.close()
      }
    },
  }
  describeImportStoreConformance(name, { ...part, fixtures: inventoryStoreFixtures })
  describeCatalogStoreConformance(name, part)
  describeJobQueueConformance(name, { ...part, ...(options.openPeer ? { openPeer: options.openPeer.bind(options) } : {}) })
  describeAuditLogConformance(name, part)
}
