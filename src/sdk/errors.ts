/**
 * The SDK's encoder-side error type. Wire-format failures stay {@link FacevqError}s from the codec
 * (codes of spec §9); everything about models, runtimes and inputs is a {@link FaceEncoderError}
 * with one of the stable codes below. Callers match on `code`, never on the message.
 */

/** Stable codes of {@link FaceEncoderError}. */
export const FACE_ENCODER_ERROR_CODES = [
  /** The ONNX bytes do not parse, or the graph is not well formed. */
  'E_MODEL_FORMAT',
  /** The graph uses an op, attribute or data type the plain-TypeScript runtime does not implement. */
  'E_MODEL_UNSUPPORTED',
  /** The model's SHA-256 differs from the profile's `encoder.sha256` (§10.2). */
  'E_MODEL_HASH',
  /** No model or profile bytes: not in Node (where the package's `models/` is read) and none passed. */
  'E_MODEL_MISSING',
  /** The requested runtime's optional package is not installed or failed to load. */
  'E_RUNTIME_UNAVAILABLE',
  /** The profile does not fit the encoder (latent shape, crop size or template). */
  'E_PROFILE_MISMATCH',
  /** Bad input: buffer size, channels, landmarks, box or batch. */
  'E_INPUT',
  /** Face detection found no face. */
  'E_NO_FACE',
  /** The image is empty, in no format the decoder reads, or corrupt (a truncated file, say). */
  'E_IMAGE',
] as const;

/** A stable {@link FaceEncoderError} code. */
export type FaceEncoderErrorCode = (typeof FACE_ENCODER_ERROR_CODES)[number];

/** A failure while loading or running the device encoder. */
export class FaceEncoderError extends Error {
  /** The stable code. */
  readonly code: FaceEncoderErrorCode;

  constructor(code: FaceEncoderErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'FaceEncoderError';
    this.code = code;
  }
}
