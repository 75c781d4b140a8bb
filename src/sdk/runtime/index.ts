/**
 * Picks and creates a {@link FrameEncoder}. Each adapter loads its optional package only when it is
 * chosen; `'auto'` prefers native onnxruntime-node in Node and falls back, silently, to the
 * plain-TypeScript runtime everywhere else or when the package is missing.
 */
import { FaceEncoderError } from '../errors.js';
import type { FrameEncoder, RuntimeName } from '../frame-encoder.js';
import type { OrtModule } from './_ort.js';
import { createOrtNodeEncoder, hasOrtNode } from './ort-node.js';
import { createOrtWebEncoder } from './ort-web.js';
import { TsFrameEncoder } from './ts/index.js';

export type { OrtModule } from './_ort.js';

/** Options for {@link createFrameEncoder}. */
export interface FrameEncoderOptions {
  /** @default 'auto' */
  runtime?: RuntimeName;
  /** Per-sample input shape (C, H, W): the profile's crop, e.g. [3, 64, 64]. */
  inputShape: readonly [number, number, number];
  /** Intra-op threads for the onnxruntime adapters. @default 1 */
  threads?: number;
  /** onnxruntime-web: where its `.wasm` files are served (URL prefix, or a folder path in Node). */
  wasmPaths?: string;
  /**
   * An onnxruntime module to use instead of importing one, with `runtime: 'web'` (the
   * onnxruntime-web your app bundles) or `'node'`; `'auto'` ignores it.
   */
  ort?: OrtModule;
}

/** True when running in Node (not a browser, Worker or React Native). */
function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Creates a {@link FrameEncoder} for the ONNX encoder in `model`.
 *
 * @example
 * ```ts
 * const encoder = await createFrameEncoder(onnxBytes, { inputShape: [3, 64, 64] }); // auto
 * encoder.name; // 'onnxruntime-node' in Node with the package installed, else 'ts'
 * ```
 */
export async function createFrameEncoder(model: Uint8Array, options: FrameEncoderOptions): Promise<FrameEncoder> {
  const { inputShape, threads = 1 } = options;
  const runtime = options.runtime ?? 'auto';
  switch (runtime) {
    case 'ts':
      return new TsFrameEncoder(model, inputShape);
    case 'node':
      return createOrtNodeEncoder(model, inputShape, threads, options.ort);
    case 'web':
      return createOrtWebEncoder(model, inputShape, { threads, ...(options.wasmPaths !== undefined && { wasmPaths: options.wasmPaths }), ...(options.ort && { ort: options.ort }) });
    case 'auto':
      if (inNode() && (await hasOrtNode())) return createOrtNodeEncoder(model, inputShape, threads);
      return new TsFrameEncoder(model, inputShape);
    default:
      throw new FaceEncoderError('E_INPUT', `unknown runtime ${JSON.stringify(runtime)}: use auto, node, web or ts`);
  }
}
