export { OrcError, type OrcErrorCode } from './orc-error.js'
export type { OrcInteger } from './byte-cursor.js'
export type { OrcBytesColumn, OrcValue } from './column-decoder.js'
export { decimalText } from './column-decoder.js'
export {
  type OrcColumnEncoding,
  type OrcColumnStatistics,
  type OrcCompression,
  type OrcFooter,
  type OrcPostScript,
  type OrcStream,
  type OrcStripeFooter,
  type OrcStripeInformation,
  type OrcType,
  type OrcTypeKind,
} from './orc-metadata.js'
export { type OrcSchema, orcTypeText } from './orc-schema.js'
export { type OrcTimestamp, formatOrcTimestamp, orcTimestampToIso, zoneOffsetSeconds } from './timestamps.js'
export {
  MAX_ORC_STRIPE_BYTES,
  type OpenOrcOptions,
  type OrcFile,
  type OrcRandomAccess,
  type OrcStripe,
  type OrcStripeColumns,
  type ReadStripesOptions,
  openOrcFile,
} from './orc-file.js'
export { checkZstdFrames, decompressZstdBounded } from './zstd-frames.js'
