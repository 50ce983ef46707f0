export { describeStoreConformance, type StoreConformanceOptions } from './testing/store-conformance.js'
