/**
 * The onnxruntime-node adapter: native CPU inference, the fastest runtime in Node. onnxruntime-node
 * is an optional peer dependency, loaded on first use.
 */
import type { FrameEncoder } from '../frame-encoder.js';
import { importOrt, OrtFrameEncoder, requireOrt, type OrtModule } from './_ort.js';

/** The package this adapter loads. */
export const ORT_NODE = 'onnxruntime-node';

/**
 * An encoder on onnxruntime-node, single-threaded unless `threads` says otherwise (one thread keeps
 * a device's other work responsive; the encoder is small enough that more threads barely help).
 * Throws `E_RUNTIME_UNAVAILABLE` when the package is not installed.
 */
export async function createOrtNodeEncoder(
  model: Uint8Array, inputShape: readonly [number, number, number], threads = 1, ort?: OrtModule,
): Promise<FrameEncoder> {
  const mod = ort ?? (await requireOrt(ORT_NODE));
  return OrtFrameEncoder.create('onnxruntime-node', mod, model, inputShape, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
}

/** True when onnxruntime-node can be imported here. */
export async function hasOrtNode(): Promise<boolean> {
  return (await importOrt(ORT_NODE)) !== undefined;
}
