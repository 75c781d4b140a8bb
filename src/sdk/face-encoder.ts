/**
 * `FaceEncoder`: a face in an image to wire bytes, on the device. The pipeline is
 * crop (align.ts) -> normalise -> device encoder (a {@link FrameEncoder}) -> product quantiser ->
 * codec (§7, entropy-coded by default). Runtime-neutral: Node-only conveniences (image files, face
 * detection) are in `node/face-encoder.ts`.
 */
import { encodeGrid, readProfile, signGrid, type EncodeOptions, type Profile, type SignOptions } from '../codec/index.js';
import { sha256 } from '../codec/_sha256.js';
import { FaceEncoderError } from './errors.js';
import type { FrameEncoder, RuntimeName } from './frame-encoder.js';
import { DEFAULT_ENCODER_FILE, readShippedFile, SHIPPED_PROFILES, type ShippedProfile } from './models.js';
import { checkCropSpec, chipToTensor, cropFace, type FaceInput } from './preprocess.js';
import { checkLatentShape, latentChannels, quantizeLatent } from './quantize.js';
import { createFrameEncoder, type OrtModule } from './runtime/index.js';

/** Options for {@link FaceEncoder.load}. */
export interface FaceEncoderOptions {
  /**
   * The profile: a shipped one by name (read from the package's `models/` in Node), a profile
   * file's bytes, or a profile already read with `readProfile`.
   * @default 'm' (the recommended rate point)
   */
  profile?: ShippedProfile | Uint8Array | Profile;
  /** Which runtime runs the encoder (see {@link RuntimeName}). @default 'auto' */
  runtime?: RuntimeName;
  /**
   * The encoder's ONNX bytes. Required outside Node; in Node the default is the file the profile
   * names, from `models/`. Checked against the profile's `encoder.sha256` when it has one.
   */
  modelBytes?: Uint8Array;
  /** Run the encoder with this instead of creating one (tests, custom accelerators). */
  frameEncoder?: FrameEncoder;
  /** Intra-op threads for onnxruntime. @default 1 */
  threads?: number;
  /** onnxruntime-web: where its `.wasm` files are served. */
  wasmPaths?: string;
  /** An onnxruntime module to use instead of importing one (browser apps pass onnxruntime-web). */
  ort?: OrtModule;
  /** Node: the folder holding the shipped models. @default the package's `models/` */
  modelsDir?: string | URL;
}

/** Options for {@link FaceEncoder.encode}. */
export interface EncodeFaceOptions {
  /** Payload mode (§7): `'auto'` entropy-codes and falls back to mode 0 when that is smaller. @default 'auto' */
  mode?: EncodeOptions['mode'];
  /** In auto mode, use the context prior (mode 2) when the profile has one. @default false */
  contexts?: boolean;
  /** In auto mode, use table ANS (mode 3, §6.7): faster to decode, about half a byte longer. @default false */
  fast?: boolean;
  /** Extension fields (§4): capture time, nonce, key id, auth tag. */
  extensions?: EncodeOptions['extensions'];
  /**
   * Sign each payload with a device key (§13): key id, capture time (now unless given) and an
   * 8-byte tag, 20 bytes in all (`signGrid`): a signed `s` payload still fits one 51-byte LoRaWAN
   * frame. A service whose gallery requires signatures refuses payloads without.
   */
  sign?: SignOptions;
  /** Also return the grid. @default false */
  withGrid?: boolean;
  /** Also return timings. @default false */
  withTimings?: boolean;
}

/** Milliseconds spent in each stage (in a batch, the batch's time divided by its size). */
export interface EncodeTimings {
  cropMs: number;
  encoderMs: number;
  quantizeMs: number;
  codecMs: number;
}

/** One encoded face. */
export interface EncodedFace {
  /** The payload (`application/vnd.facevq`, `.fvq`). */
  payload: Uint8Array;
  /** H*W*G indices in grid order (§1), when `withGrid`. */
  grid?: Uint16Array;
  /** When `withTimings`. */
  timings?: EncodeTimings;
}

/** What a {@link FaceEncoder} is made of (see {@link FaceEncoder.load}). @internal */
export interface FaceEncoderParts {
  profile: Profile;
  frameEncoder: FrameEncoder;
}

/** Faces run through the encoder at once by {@link FaceEncoder.encodeMany}. */
const MAX_BATCH = 64;

const now: () => number = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

function isProfile(p: unknown): p is Profile {
  return typeof p === 'object' && p !== null && !(p instanceof Uint8Array) && 'codebooks' in p && 'planes' in p;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const hex = (b: Uint8Array) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');

/**
 * Encodes faces into payloads with a profile's device encoder.
 *
 * @example
 * ```ts
 * const encoder = await FaceEncoder.load(); // profile 'm', onnxruntime-node if installed, else TypeScript
 * const { payload } = await encoder.encode({ pixels, width, height, channels: 4, landmarks5 });
 * ```
 */
export class FaceEncoder {
  /** The profile payloads are made for. */
  readonly profile: Profile;
  /** The runtime running the encoder. */
  readonly frameEncoder: FrameEncoder;
  private readonly mean: number;
  private readonly std: number;
  private readonly latentSize: number;

  /** Use {@link FaceEncoder.load}. @internal */
  constructor(parts: FaceEncoderParts) {
    this.profile = parts.profile;
    this.frameEncoder = parts.frameEncoder;
    this.mean = parts.profile.encoder?.mean ?? 0.5;
    this.std = parts.profile.encoder?.std ?? 0.5;
    checkCropSpec(parts.profile.crop);
    checkLatentShape(parts.profile, parts.frameEncoder.outputShape);
    this.latentSize = latentChannels(parts.profile) * parts.profile.h * parts.profile.w;
  }

  /**
   * Loads a profile and its encoder. Nothing is downloaded: in Node the shipped files are read from
   * the package; elsewhere pass `profile` (bytes or a `Profile`) and `modelBytes`.
   * Throws {@link FaceEncoderError} (`E_MODEL_MISSING`, `E_MODEL_HASH`, `E_RUNTIME_UNAVAILABLE`,
   * `E_PROFILE_MISMATCH`, ...) or the codec's `FacevqError` for a bad profile file.
   */
  static async load<T extends FaceEncoder>(this: new (parts: FaceEncoderParts) => T, options: FaceEncoderOptions = {}): Promise<T> {
    const profile = await resolveProfile(options);
    let frameEncoder = options.frameEncoder;
    if (!frameEncoder) {
      const model = options.modelBytes ?? (await readShippedFile(profile.encoder?.file ?? DEFAULT_ENCODER_FILE, options.modelsDir));
      if (profile.encoder && !sameBytes(sha256(model), profile.encoder.sha256)) {
        throw new FaceEncoderError('E_MODEL_HASH', `encoder SHA-256 ${hex(sha256(model))} is not the profile's ${hex(profile.encoder.sha256)} (${profile.encoder.file})`);
      }
      frameEncoder = await createFrameEncoder(model, {
        inputShape: [3, profile.crop.size, profile.crop.size],
        ...(options.runtime !== undefined && { runtime: options.runtime }),
        ...(options.threads !== undefined && { threads: options.threads }),
        ...(options.wasmPaths !== undefined && { wasmPaths: options.wasmPaths }),
        ...(options.ort !== undefined && { ort: options.ort }),
      });
    }
    return new this({ profile, frameEncoder });
  }

  /** The runtime's name: `'onnxruntime-node'`, `'onnxruntime-web'` or `'ts'`. */
  get runtime(): string {
    return this.frameEncoder.name;
  }

  /** Encodes one face given by its landmarks or box. */
  async encode(input: FaceInput, options: EncodeFaceOptions = {}): Promise<EncodedFace> {
    return (await this.encodeMany([input], options))[0]!;
  }

  /** Encodes many faces, running the encoder on batches of up to 64. */
  async encodeMany(inputs: readonly FaceInput[], options: EncodeFaceOptions = {}): Promise<EncodedFace[]> {
    const out: EncodedFace[] = [];
    for (let i = 0; i < inputs.length; i += MAX_BATCH) {
      const t0 = now();
      const chips = inputs.slice(i, i + MAX_BATCH).map((input) => cropFace(input, this.profile.crop.size));
      out.push(...(await this.encodeChipBatch(chips, options, now() - t0)));
    }
    return out;
  }

  /** Encodes one already aligned chip: crop.size x crop.size RGB bytes, row-major (see `alignFace`). */
  async encodeChip(chip: Uint8Array, options: EncodeFaceOptions = {}): Promise<EncodedFace> {
    return (await this.encodeChipBatch([chip], options, 0))[0]!;
  }

  /** Encodes many aligned chips (see {@link encodeChip}). */
  async encodeChips(chips: readonly Uint8Array[], options: EncodeFaceOptions = {}): Promise<EncodedFace[]> {
    const out: EncodedFace[] = [];
    for (let i = 0; i < chips.length; i += MAX_BATCH) out.push(...(await this.encodeChipBatch(chips.slice(i, i + MAX_BATCH), options, 0)));
    return out;
  }

  /** The raw latents (NCHW, batch x C*H*W floats) of aligned chips: for tests and diagnostics. */
  async latents(chips: readonly Uint8Array[]): Promise<Float32Array> {
    const size = this.profile.crop.size;
    const input = new Float32Array(chips.length * 3 * size * size);
    chips.forEach((chip, b) => chipToTensor(chip, size, this.mean, this.std, input, b * 3 * size * size));
    return this.frameEncoder.run(input, chips.length);
  }

  /** Releases the runtime's resources. */
  async dispose(): Promise<void> {
    await this.frameEncoder.dispose?.();
  }

  private async encodeChipBatch(chips: readonly Uint8Array[], options: EncodeFaceOptions, cropMs: number): Promise<EncodedFace[]> {
    const n = chips.length;
    if (n === 0) return [];
    const t0 = now();
    const latent = await this.latents(chips);
    const t1 = now();
    const gridLength = this.profile.gridLength;
    const grids = chips.map((_, b) => {
      const grid = new Uint16Array(gridLength);
      quantizeLatent(latent, b * this.latentSize, this.profile, grid);
      return grid;
    });
    const t2 = now();
    const codec: EncodeOptions = {
      ...(options.mode !== undefined && { mode: options.mode }),
      ...(options.contexts !== undefined && { contexts: options.contexts }),
      ...(options.fast !== undefined && { fast: options.fast }),
      ...(options.extensions !== undefined && { extensions: options.extensions }),
    };
    const sign = options.sign;
    const payloads = sign ? await Promise.all(grids.map((grid) => signGrid(grid, this.profile, sign, codec))) : grids.map((grid) => encodeGrid(grid, this.profile, codec));
    const t3 = now();
    const timings: EncodeTimings = { cropMs: cropMs / n, encoderMs: (t1 - t0) / n, quantizeMs: (t2 - t1) / n, codecMs: (t3 - t2) / n };
    return payloads.map((payload, b) => ({
      payload,
      ...(options.withGrid && { grid: grids[b]! }),
      ...(options.withTimings && { timings: { ...timings } }),
    }));
  }
}

async function resolveProfile(options: FaceEncoderOptions): Promise<Profile> {
  const p = options.profile ?? SHIPPED_PROFILES[0];
  if (isProfile(p)) return p;
  if (p instanceof Uint8Array) return readProfile(p);
  if (!(SHIPPED_PROFILES as readonly string[]).includes(p)) {
    throw new FaceEncoderError('E_INPUT', `unknown profile ${JSON.stringify(p)}: use ${SHIPPED_PROFILES.join(' or ')}, or pass profile bytes`);
  }
  return readProfile(await readShippedFile(`${p}.fvqp`, options.modelsDir));
}
