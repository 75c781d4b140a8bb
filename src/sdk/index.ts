/**
 * The device SDK (`facevq/sdk`), runtime-neutral: runs in Node, browsers, Workers and React Native.
 * Encode faces into payloads with {@link FaceEncoder}; talk to the matcher with
 * {@link MatcherClient}. Node-only helpers (image files, detection) are in `facevq/sdk/node`.
 * onnxruntime-node, onnxruntime-web, sharp and face-api are optional peer dependencies, imported
 * only by the code paths that need them.
 */
export { FaceEncoder, type FaceEncoderOptions, type EncodeFaceOptions, type EncodedFace, type EncodeTimings } from './face-encoder.js';
export type { FrameEncoder, RuntimeName } from './frame-encoder.js';
export { createFrameEncoder, type FrameEncoderOptions, type OrtModule } from './runtime/index.js';
export { createOrtWebEncoder } from './runtime/ort-web.js';
export { TsFrameEncoder, onnxStats, type GraphStats } from './runtime/ts/index.js';
export { quantizeLatent, quantizeBatch, quantizeMargins, latentChannels } from './quantize.js';
export { cropFace, chipToTensor, faceLandmarks, type FaceInput, type FaceWithLandmarks, type FaceWithBox, type FacePixels } from './preprocess.js';
export { landmarksFromBox, MEAN_SHAPE, type FaceBox } from './box-landmarks.js';
export { alignFace, chipToImage, warpChip, roundLandmarks, FACE_TEMPLATE, LANDMARK_DECIMALS, type Landmarks5, type Similarity } from './align.js';
export { SHIPPED_PROFILES, type ShippedProfile } from './models.js';
export { FaceEncoderError, FACE_ENCODER_ERROR_CODES, type FaceEncoderErrorCode } from './errors.js';
export {
  MatcherClient,
  MatcherError,
  deviceSigner,
  type PayloadSigner,
  type MatcherClientOptions,
  type MatcherErrorCode,
  type TransportErrorCode,
  type CallOptions,
  type DecisionOptions,
  type IdentifyOptions,
  type EnrollResult,
  type RejectedItem,
  type IdentifyResult,
  type Candidate,
  type VerifyResult,
  type Embedding,
  type EmbedItemResult,
  type SubjectPage,
  type Health,
  type PayloadBatch,
  type GalleryInfo,
  type ProfileDescription,
  type SubjectInfo,
} from './client.js';
