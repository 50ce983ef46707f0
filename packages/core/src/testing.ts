// Conformance suites (vitest) for stores: one per part of the store seam, and one for a store of every
// part. An embedder that implements only the import part runs `describeImportStoreConformance` alone.
// Public API under semver.
export { describeStoreConformance, type StoreConformanceOptions } from './testing/store-conformance.js'
export type { PartConformanceOptions } from './testing/conformance-kit.js'
export {
  describeImportStoreConformance,
  inventoryStoreFixtures,
  type ImportStoreConformanceOptions,
  type ImportStoreFixtures,
} from './testing/import-store-conformance.js'
export { describeCatalogStoreConformance, type CatalogConformanceStore } from './testing/catalog-store-conformance.js'
export {
  describeJobQueueConformance,
  type JobQueueConformanceOptions,
  type JobQueueConformanceStore,
} from './testing/job-queue-conformance.js'
export { describeAuditLogConformance, type AuditLogConformanceStore } from './testing/audit-log-conformance.js'
