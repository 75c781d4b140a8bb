/**
 * The seam between the SDK and whatever runs the device encoder's ONNX graph (STYLE.md habit 11).
 * Everything above this interface (crop, quantiser, codec) is runtime-neutral; each adapter below it
 * lives in its own file under `runtime/` and is loaded only when chosen, so an app that never asks
 * for onnxruntime never imports it.
 */

/**
 * Runs the device encoder: a batch of normalised face chips in, latents out.
 *
 * @example
 * ```ts
 * const encoder = await createFrameEncoder(onnxBytes, { runtime: 'ts', inputShape: [3, 64, 64] });
 * const latent = await encoder.run(chw); // 64*4*4 floats for one face
 * ```
 */
export interface FrameEncoder {
  /**
   * Runs `batch` samples. `input` holds batch * C*S*S floats, channel-first (NCHW); the result holds
   * batch * the latent's C*H*W floats, NCHW as ONNX returns it.
   * @param batch number of samples in `input` @default 1
   */
  run(input: Float32Array, batch?: number): Promise<Float32Array>;
  /** Which runtime this is: `'onnxruntime-node'`, `'onnxruntime-web'` or `'ts'`. */
  readonly name: string;
  /** Per-sample latent shape (C, H, W). */
  readonly outputShape: readonly [number, number, number];
  /** Releases native sessions or buffers. The encoder is unusable afterwards. */
  dispose?(): Promise<void>;
}

/**
 * Which runtime runs the encoder. `'auto'` tries onnxruntime-node where Node is present and falls
 * back, silently, to the plain-TypeScript runtime; `'web'` (onnxruntime-web, wasm) is used only
 * when asked for, since browsers need its wasm files served.
 */
export type RuntimeName = 'auto' | 'node' | 'web' | 'ts';
