/**
 * The VQ-VAE decoder of the preview (`POST /v1/preview`): a payload's index grid back to a face
 * image, so a person sees what the bytes keep. Training's contract (training/model.py,
 * `export_decoder`): input `latent` float32 [N,C,H,W], the codebook vectors of the grid laid out
 * channel-first (plane g's vector fills channels g*dim .. g*dim+dim-1); output `image` float32
 * [N,3,S,S] in [0,1]. The graph runs on onnxruntime through the SDK's {@link FrameEncoder} seam (it
 * is one input, one output); the plain-TypeScript runtime does not implement the decoder's
 * upsampling ops.
 */
import type { Profile } from '../../codec/index.js';
import type { FrameEncoder } from '../../sdk/frame-encoder.js';
import { createFrameEncoder, type OrtModule } from '../../sdk/runtime/index.js';

/** An 8-bit RGB image, row-major, 3 bytes a pixel. */
export interface RgbPixels {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The codebook vectors of `grid`, NCHW for one face: channel g*dim + j of plane g at each position. */
export function latentOfGrid(grid: ArrayLike<number>, profile: Profile): Float32Array {
  const hw = profile.h * profile.w;
  const G = profile.planes.length;
  const latent = new Float32Array(latentChannelsOf(profile) * hw);
  for (let pos = 0; pos < hw; pos++) {
    let channel = 0;
    for (let g = 0; g < G; g++) {
      const { dim } = profile.planes[g]!;
      const index = grid[pos * G + g]!;
      const book = profile.codebooks[g]!;
      for (let j = 0; j < dim; j++) latent[(channel + j) * hw + pos] = book[index * dim + j]!;
      channel += dim;
    }
  }
  return latent;
}

/** Latent channels of a profile: the sum of its planes' dimensions. */
function latentChannelsOf(profile: Profile): number {
  return profile.planes.reduce((sum, plane) => sum + plane.dim, 0);
}

/** A [3,S,S] float image in [0,1] as 8-bit RGB (values outside [0,1] are clamped). */
export function planarToRgb(planes: Float32Array, side: number): RgbPixels {
  const n = side * side;
  const data = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.max(0, Math.min(255, Math.round(planes[c * n + p]! * 255)));
  }
  return { data, width: side, height: side };
}

/** Options for {@link GridDecoder.load}. */
export interface GridDecoderOptions {
  /** Which onnxruntime runs the graph. @default 'node' */
  runtime?: 'node' | 'web';
  /** An onnxruntime module to use instead of importing one. */
  ort?: OrtModule;
}

/** A loaded decoder for the profiles whose latent it reads. */
export class GridDecoder {
  private constructor(
    private readonly graph: FrameEncoder,
    /** The latent it reads (C, H, W). */
    readonly inputShape: readonly [number, number, number],
  ) {}

  /**
   * Loads the decoder ONNX in `model` for latents of `profile`'s shape. Throws the SDK's
   * `FaceEncoderError` (`E_RUNTIME_UNAVAILABLE`, `E_MODEL_FORMAT`, `E_MODEL_UNSUPPORTED`) when
   * onnxruntime is missing or the graph does not take that latent or give a square RGB image.
   */
  static async load(model: Uint8Array, profile: Profile, options: GridDecoderOptions = {}): Promise<GridDecoder> {
    const inputShape = [latentChannelsOf(profile), profile.h, profile.w] as const;
    const graph = await createFrameEncoder(model, { runtime: options.runtime ?? 'node', inputShape, ...(options.ort && { ort: options.ort }) });
    const [c, h, w] = graph.outputShape;
    if (c !== 3 || h !== w) {
      await graph.dispose?.();
      throw new RangeError(`the decoder gives [${graph.outputShape}], expected [3,S,S]`);
    }
    return new GridDecoder(graph, inputShape);
  }

  /** Side of the square image it gives, in pixels (read from the graph). */
  get side(): number {
    return this.graph.outputShape[1];
  }

  /** Reconstructs the face of one index grid of `profile`. */
  async decode(grid: ArrayLike<number>, profile: Profile): Promise<RgbPixels> {
    return planarToRgb(await this.graph.run(latentOfGrid(grid, profile)), this.side);
  }

  /** Releases the runtime's session. */
  async dispose(): Promise<void> {
    await this.graph.dispose?.();
  }
}
