/**
 * Face detection, landmarks and the teacher's descriptor in Node, through @vladmandic/face-api on
 * TensorFlow.js's wasm backend (no native binaries, nothing downloaded: the models ship in the
 * face-api package). Used by `facevq teacher`, `facevq eval` and the SDK's optional detection; the
 * detection itself is runtime-neutral (`../face-detector.ts`).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { FaceEncoderError } from '../errors.js';
import { FaceDetector, type FaceApiModule, type FaceApiOptions, type Tf } from '../face-detector.js';

export type { Box, DetectedFace, FaceApiOptions } from '../face-detector.js';

/** A loaded face-api runtime. Create with {@link FaceApi.load}; one per process is enough. */
export class FaceApi extends FaceDetector {
  /** Loads TensorFlow.js (wasm backend) and face-api's tiny detector, 68-landmark and descriptor nets. */
  static async load(options: FaceApiOptions = {}): Promise<FaceApi> {
    const require = createRequire(import.meta.url);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the wasm backend's module
    let tf: Tf, wasm: any, faceapi: FaceApiModule;
    try {
      tf = require('@tensorflow/tfjs');
      wasm = require('@tensorflow/tfjs-backend-wasm');
      faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    } catch (cause) {
      throw new FaceEncoderError(
        'E_RUNTIME_UNAVAILABLE',
        'face detection needs the optional packages @vladmandic/face-api, @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm: npm i @vladmandic/face-api @tensorflow/tfjs @tensorflow/tfjs-backend-wasm',
        { cause },
      );
    }
    const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(wasmDir + path.sep);
    if (tf.getBackend() !== 'wasm') {
      await tf.setBackend('wasm');
      await tf.ready();
    }
    const models = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    if (!faceapi.nets.tinyFaceDetector.isLoaded) await faceapi.nets.tinyFaceDetector.loadFromDisk(models);
    if (!faceapi.nets.faceLandmark68Net.isLoaded) await faceapi.nets.faceLandmark68Net.loadFromDisk(models);
    if (options.descriptor !== false && !faceapi.nets.faceRecognitionNet.isLoaded) {
      await faceapi.nets.faceRecognitionNet.loadFromDisk(models);
    }
    return new FaceApi(faceapi, tf, options);
  }
}
