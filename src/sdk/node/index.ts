/**
 * The SDK's Node-only entry (`facevq/sdk/node`): image files, face detection and the shipped models
 * read from disk. Everything runtime-neutral is re-exported, so Node apps need only this import.
 */
export * from '../index.js';
export { NodeFaceEncoder, type EncodeImageOptions, type EncodedImage } from './face-encoder.js';
export { FaceApi, type Box, type DetectedFace, type FaceApiOptions } from './faceapi.js';
export { decodeImage, type RgbImage } from './image.js';
export { createOrtNodeEncoder } from '../runtime/ort-node.js';
