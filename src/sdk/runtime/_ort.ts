/**
 * What the two onnxruntime adapters share: the slice of onnxruntime's JavaScript API they use
 * (identical in onnxruntime-node and onnxruntime-web, typed structurally here so that neither
 * package's types leak into the SDK's), optional-module loading, and the {@link FrameEncoder} over a
 * session.
 */
import { importOptional } from '../_optional.js';
import { FaceEncoderError } from '../errors.js';
import type { FrameEncoder } from '../frame-encoder.js';

/** A float32 tensor as onnxruntime returns it. */
export interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** An onnxruntime inference session. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** Session options both packages accept. */
export interface OrtSessionOptions {
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  executionMode?: 'sequential' | 'parallel';
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  executionProviders?: readonly string[];
}

/**
 * The onnxruntime module (`import * as ort from 'onnxruntime-web'` or `'onnxruntime-node'`), as far
 * as the SDK uses it. Pass one as `ort` to use a copy your app already bundles.
 */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env?: { wasm?: { numThreads?: number; wasmPaths?: unknown; proxy?: boolean } };
}

/** Imports onnxruntime package `name`; undefined when it is not installed or fails to load. */
export async function importOrt(name: string): Promise<OrtModule | undefined> {
  const mod = await importOptional<Partial<OrtModule> & { default?: OrtModule }>(name);
  return mod?.InferenceSession ? (mod as OrtModule) : mod?.default; // CommonJS builds arrive as `default`
}

/** Loads package `name`, or throws {@link FaceEncoderError} `E_RUNTIME_UNAVAILABLE`. */
export async function requireOrt(name: string): Promise<OrtModule> {
  const ort = await importOrt(name);
  if (!ort?.InferenceSession) {
    throw new FaceEncoderError('E_RUNTIME_UNAVAILABLE', `${name} is not installed (it is an optional peer dependency: npm i ${name})`);
  }
  return ort;
}

/** A {@link FrameEncoder} over an onnxruntime session with one input and one output. */
export class OrtFrameEncoder implements FrameEncoder {
  private constructor(
    readonly name: string,
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly inputShape: readonly [number, number, number],
    readonly outputShape: readonly [number, number, number],
  ) {}

  /**
   * Creates the session and runs one zero input to learn (and check) the latent shape, so the first
   * real call is not the slow one.
   */
  static async create(
    name: string, ort: OrtModule, model: Uint8Array, inputShape: readonly [number, number, number], options: OrtSessionOptions,
  ): Promise<OrtFrameEncoder> {
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(model, options);
    } catch (cause) {
      throw new FaceEncoderError('E_MODEL_FORMAT', `${name} could not load the model: ${String(cause)}`, { cause });
    }
    if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
      throw new FaceEncoderError('E_MODEL_UNSUPPORTED', `expected one input and one output, got ${session.inputNames.length} and ${session.outputNames.length}`);
    }
    const probe = await runSession(ort, session, new Float32Array(inputShape[0] * inputShape[1] * inputShape[2]), [1, ...inputShape]);
    const d = probe.dims;
    if (d.length !== 4) throw new FaceEncoderError('E_MODEL_UNSUPPORTED', `latent has shape [${d}], expected [N,C,H,W]`);
    return new OrtFrameEncoder(name, ort, session, inputShape, [d[1]!, d[2]!, d[3]!]);
  }

  async run(input: Float32Array, batch = 1): Promise<Float32Array> {
    const [c, h, w] = this.inputShape;
    if (!Number.isInteger(batch) || batch < 1 || input.length !== batch * c * h * w) {
      throw new FaceEncoderError('E_INPUT', `expected ${batch} x ${c * h * w} floats, got ${input.length}`);
    }
    const out = await runSession(this.ort, this.session, input, [batch, c, h, w]);
    if (!(out.data instanceof Float32Array)) throw new FaceEncoderError('E_MODEL_UNSUPPORTED', 'latent is not float32');
    return out.data;
  }

  async dispose(): Promise<void> {
    await this.session.release?.();
  }
}

async function runSession(ort: OrtModule, session: OrtSession, input: Float32Array, dims: readonly number[]): Promise<OrtTensor> {
  const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
  const result = await session.run(feeds);
  return result[session.outputNames[0]!]!;
}
