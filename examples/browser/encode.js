// Encoding a face from a <canvas> in the browser, with onnxruntime-web.
//
// The app serves the model files and fetches them itself (the SDK downloads nothing):
//   models/m.fvqp and models/encoder.onnx from the facevq package, and onnxruntime-web's
//   dist/*.wasm (pass their folder as `wasmPaths`).
// `facevq/sdk` and `onnxruntime-web` resolve through your bundler, or the import map in index.html.
// test/sdk/examples.test.ts runs these functions in Node, so this file cannot rot.
import { FaceEncoder } from 'facevq/sdk';

/** Bytes of a URL (or the bytes themselves, when given). */
async function bytesOf(source, fetchImpl) {
  if (source instanceof Uint8Array) return source;
  const response = await fetchImpl(source);
  if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Loads the encoder on onnxruntime-web.
 * @param {{ ort: object, profile: string | Uint8Array, model: string | Uint8Array, wasmPaths?: string, fetch?: typeof fetch }} options
 *   `ort`: the onnxruntime-web module; `profile`, `model`: URLs to fetch, or bytes.
 */
export async function loadEncoder({ ort, profile, model, wasmPaths, fetch: fetchImpl = globalThis.fetch }) {
  const [profileBytes, modelBytes] = await Promise.all([bytesOf(profile, fetchImpl), bytesOf(model, fetchImpl)]);
  return FaceEncoder.load({ profile: profileBytes, modelBytes, runtime: 'web', ort, ...(wasmPaths && { wasmPaths }) });
}

/**
 * Encodes the face on a canvas. `face` is `{ landmarks5: [x0, y0, ... x4, y4] }` (eyes, nose tip,
 * mouth corners, canvas pixels) or `{ box: { x, y, width, height } }` from your face detector.
 * Resolves with the payload (a Uint8Array of at most the profile's maxBytes) and its hex.
 */
export async function encodeCanvas(encoder, canvas, face) {
  const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const { payload } = await encoder.encode({ pixels: data, width, height, channels: 4, ...face });
  return { payload, hex: Array.from(payload, (b) => b.toString(16).padStart(2, '0')).join('') };
}
