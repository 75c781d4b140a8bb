/**
 * Face detection in the page: face-api's browser build on TensorFlow.js's wasm backend (the backend
 * `facevq` uses in Node), through the SDK's runtime-neutral {@link FaceDetector}, so the page and
 * the Node SDK find the same landmarks in the same pixels.
 */
import * as faceapi from '@vladmandic/face-api';
import { FaceDetector, type FaceApiModule, type RgbImage } from '../../sdk/face-detector.js';

/** Loads the wasm backend and the detector and landmark weights from the page's server. */
export async function loadDetector(base: URL): Promise<FaceDetector> {
  const module = faceapi as FaceApiModule;
  const tf = module.tf;
  tf.setWasmPaths(new URL('vendor/', base).href);
  await tf.setBackend('wasm');
  await tf.ready();
  const weights = new URL('face-api/', base).href;
  await module.nets.tinyFaceDetector.loadFromUri(weights);
  await module.nets.faceLandmark68Net.loadFromUri(weights);
  return new FaceDetector(module, tf, { descriptor: false });
}

/** The RGB bytes of RGBA canvas pixels. */
export function rgbOf(rgba: Uint8ClampedArray, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; q < data.length; p += 4, q += 3) {
    data[q] = rgba[p]!;
    data[q + 1] = rgba[p + 1]!;
    data[q + 2] = rgba[p + 2]!;
  }
  return { data, width, height };
}
