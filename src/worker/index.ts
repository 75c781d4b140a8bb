/**
 * facevq matcher service: the runtime-free parts (the Hono app, stores over any SQL driver, the
 * matching kernels, keys, errors). The runtime wiring lives in `adapter/node.ts` (better-sqlite3,
 * `facevq serve`) and `adapter/workers.ts` (Durable Objects); they are not re-exported here so
 * that importing this module pulls in neither runtime. See `README.md` beside this file.
 */
export { createApp, type FacevqApp, type AppOptions } from './app.js';
export { DEFAULT_LIMITS, type AppLimits } from './config.js';
export { ServiceError, SERVICE_CODES, statusOf, errorTable, type ApiErrorCode, type ServiceCode, type ErrorBody } from './errors.js';
export { ProfileRegistry, type ProfileDescription, type Embedded } from './profiles.js';
export { Embedder, type EmbedderOptions } from './embedder.js';
export { EmbeddingMatrix, type Hit, type Precision, type MatrixOptions } from './match/matrix.js';
export { compileScanModule, type Kernels } from './match/kernels.js';
export { buildScanWasm } from './match/_wasm.js';
export { topK, type TopK } from './match/topk.js';
export {
  compareInt8Verification,
  compareInt8Identification,
  int8Cosine,
  type Pair,
  type Labelled,
  type VerificationReport,
  type IdentificationReport,
} from './match/int8-check.js';
export type { GalleryStore, GalleryInfo, SubjectInfo, SubjectPage, EnrollResult, ProfileBinding, SearchOptions, StoreLimits } from './store/types.js';
export { IndexedStore, templateOf, type IndexedStoreOptions } from './store/indexed.js';
export { createMemoryStore, MemoryRecords } from './store/memory.js';
export { SqlRecords, GALLERY_SCHEMA, type SqlDriver, type SqlValue, type SqlRow } from './store/sql-records.js';
export type { GalleryRecords, GalleryRow, SubjectWrite } from './store/records.js';
export { generateKey, hashKey, StaticKeyStore, checkKeyRecord, type KeyRecord, type KeyStore, type Scope } from './auth/keys.js';
export { SqlKeyStore } from './auth/sql-keys.js';
export { TokenBuckets, type RateLimit } from './auth/rate-limit.js';
export { Metrics } from './metrics.js';
export { openApiDocument } from './openapi.js';
export type { GalleryRef } from './names.js';
