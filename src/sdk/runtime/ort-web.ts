/**
 * The onnxruntime-web adapter: WebAssembly inference for browsers (and Node, which the tests use).
 * onnxruntime-web is an optional peer dependency. In a browser app, pass the module you bundle
 * (`import * as ort from 'onnxruntime-web'`) as `ort`, and serve its `.wasm` files (`wasmPaths`).
 */
import type { FrameEncoder } from '../frame-encoder.js';
import { OrtFrameEncoder, requireOrt, type OrtModule } from './_ort.js';

/** The package this adapter loads when no module is passed. */
export const ORT_WEB = 'onnxruntime-web';

/**
 * An encoder on onnxruntime-web's wasm backend. `threads` sets `ort.env.wasm.numThreads`, which is
 * global to the module and read when its first session is created. @default 1
 */
export async function createOrtWebEncoder(
  model: Uint8Array, inputShape: readonly [number, number, number],
  options: { threads?: number; wasmPaths?: string; ort?: OrtModule } = {},
): Promise<FrameEncoder> {
  const ort = options.ort ?? (await requireOrt(ORT_WEB));
  const wasm = ort.env?.wasm;
  if (wasm) {
    wasm.numThreads = options.threads ?? 1;
    if (options.wasmPaths !== undefined) wasm.wasmPaths = options.wasmPaths;
  }
  return OrtFrameEncoder.create('onnxruntime-web', ort, model, inputShape, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all',
  });
}
