// Types of encode.js, for TypeScript apps that copy the snippet (import from 'facevq/sdk' there).
import type { FaceBox, FaceEncoder, OrtModule } from '../../src/sdk/index.js';

/** Loads the encoder on onnxruntime-web from URLs (fetched by the app) or bytes. */
export function loadEncoder(options: {
  ort: OrtModule;
  profile: string | Uint8Array;
  model: string | Uint8Array;
  wasmPaths?: string;
  fetch?: (url: string) => Promise<Response>;
}): Promise<FaceEncoder>;

/** Encodes the face on a canvas, given by its five landmarks or a box (canvas pixels). */
export function encodeCanvas(
  encoder: FaceEncoder,
  canvas: { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray; width: number; height: number } } | null },
  face: { landmarks5: ArrayLike<number> } | { box: FaceBox },
): Promise<{ payload: Uint8Array; hex: string }>;
