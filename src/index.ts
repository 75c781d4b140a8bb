/**
 * facevq: face recognition in a few dozen bytes.
 *
 * The root re-exports the codec (`facevq/codec`) and the runtime-neutral SDK (`facevq/sdk`); the
 * matcher service is `facevq/worker`. Node-only helpers (image files, face detection) are not
 * exported here so the root stays importable in browsers, Workers and React Native.
 */
export * from './codec/index.js';
export * from './sdk/index.js';
