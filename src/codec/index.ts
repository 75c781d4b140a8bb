/**
 * facevq codec: the wire format of `spec/FORMAT.md` in plain TypeScript, with no runtime
 * dependencies (Node, browsers, Workers, React Native). Files starting with `_` are internal.
 */
export { ERROR_CODES, FacevqError, isFacevqError, type ErrorCode } from './errors.js';
export {
  readProfile,
  writeProfile,
  fitFrequencies,
  LIMITS,
  PROB_BITS,
  PROB_SCALE,
  type Profile,
  type ProfileInput,
  type ProfileContext,
  type ProfileMeta,
  type Plane,
  type HeadLayer,
  type FreqTable,
} from './profile.js';
export { ProfileSet } from './profile-set.js';
export {
  encodeGrid,
  decodeGrid,
  decodeGridInto,
  idealBits,
  inspectPayload,
  type Mode,
  type EncodeOptions,
  type DecodedPayload,
  type PayloadInspection,
} from './payload.js';
export {
  EXT_CAPTURE_TIME,
  EXT_NONCE,
  EXT_KEY_ID,
  EXT_AUTH_TAG,
  type Extensions,
} from './extensions.js';
export { signPayload, signGrid, signCapture, verifyPayload, SIGNATURE_BYTES, type SignOptions } from './auth.js';
export { embedGrid, embedGridInto, prepareHead, foldFirstDense, cosineSimilarity, type FoldedDense } from './head.js';
export { encodeBatch, decodeBatch, type BatchItem } from './batch.js';
export { MEDIA_TYPE, BATCH_MEDIA_TYPE, PROFILE_MEDIA_TYPE, FILE_EXTENSION, BATCH_FILE_EXTENSION, PROFILE_FILE_EXTENSION } from './media.js';
