/**
 * From a caller's pixels to the encoder's input: the face crop of `align.ts` (the one definition
 * training used) and the normalisation of the profile's `encoder` entry (§10.2), channel-first.
 */
import { alignFace, FACE_TEMPLATE } from './align.js';
import { landmarksFromBox, type FaceBox } from './box-landmarks.js';
import { FaceEncoderError } from './errors.js';

/** An image in memory: row-major pixels, 3 (RGB) or 4 (RGBA, alpha ignored) bytes a pixel. */
export interface FacePixels {
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** A face given by its five landmarks (eye centres, nose tip, mouth corners), image pixels. */
export interface FaceWithLandmarks extends FacePixels {
  /** [x0, y0, ..., x4, y4]: left eye, right eye, nose tip, left and right mouth corner (image left/right). */
  landmarks5: ArrayLike<number>;
  box?: undefined;
}

/** A face given by a detector's box; landmarks come from a mean shape (`box-landmarks.ts`). */
export interface FaceWithBox extends FacePixels {
  box: FaceBox;
  landmarks5?: undefined;
}

/** One face to encode. */
export type FaceInput = FaceWithLandmarks | FaceWithBox;

/** The crop a profile asks for (§10.2 `crop`). */
export interface CropSpec {
  readonly size: number;
  readonly channels: number;
  readonly template: readonly number[];
}

/** Fails unless the profile's crop is the one `align.ts` produces (same template, RGB). */
export function checkCropSpec(crop: CropSpec): void {
  const same = crop.template.length === 10 && crop.template.every((v, i) => Math.abs(v - FACE_TEMPLATE[i]!) < 1e-4);
  if (!same || crop.channels !== 3 || !(Number.isInteger(crop.size) && crop.size >= 8 && crop.size <= 1024)) {
    throw new FaceEncoderError('E_PROFILE_MISMATCH',
      `the profile's crop (size ${crop.size}, ${crop.channels} channels, template [${crop.template.map((v) => v.toFixed(4))}]) ` +
      `is not this SDK's (3 channels, template [${FACE_TEMPLATE.map((v) => v.toFixed(4))}])`);
  }
}

function checkPixels(input: FacePixels): void {
  const { pixels, width, height, channels } = input;
  if (!(pixels instanceof Uint8Array || pixels instanceof Uint8ClampedArray)) throw new FaceEncoderError('E_INPUT', 'pixels must be a Uint8Array or Uint8ClampedArray');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new FaceEncoderError('E_INPUT', `bad image size ${width}x${height}`);
  if (channels !== 3 && channels !== 4) throw new FaceEncoderError('E_INPUT', `channels must be 3 or 4, got ${String(channels)}`);
  if (pixels.length < width * height * channels) throw new FaceEncoderError('E_INPUT', `pixels holds ${pixels.length} bytes, ${width}x${height}x${channels} needs ${width * height * channels}`);
}

/** The five landmarks of `input`: its own, or the mean shape in its box. */
export function faceLandmarks(input: FaceInput): ArrayLike<number> {
  if (input.landmarks5 !== undefined) {
    const lm = input.landmarks5;
    if (lm.length !== 10) throw new FaceEncoderError('E_INPUT', `landmarks5 must hold 10 numbers, got ${lm.length}`);
    for (let i = 0; i < 10; i++) if (!Number.isFinite(lm[i])) throw new FaceEncoderError('E_INPUT', 'landmarks5 must be finite numbers');
    return lm;
  }
  if (input.box !== undefined) return landmarksFromBox(input.box);
  throw new FaceEncoderError('E_INPUT', 'a face needs landmarks5 or a box');
}

/** The aligned RGB chip (size x size x 3, row-major) of one face. */
export function cropFace(input: FaceInput, size: number): Uint8Array {
  checkPixels(input);
  return alignFace(input.pixels, input.width, input.height, input.channels, faceLandmarks(input), size);
}

/**
 * Writes an RGB chip (HWC bytes) as the encoder's input: CHW floats (v/255 - mean)/std, at
 * `out[offset ..]`.
 */
export function chipToTensor(chip: Uint8Array, size: number, mean: number, std: number, out: Float32Array, offset = 0): void {
  const plane = size * size;
  if (chip.length !== plane * 3) throw new FaceEncoderError('E_INPUT', `chip holds ${chip.length} bytes, ${size}x${size} RGB needs ${plane * 3}`);
  const scale = 1 / (255 * std), shift = mean / std;
  for (let p = 0; p < plane; p++) {
    out[offset + p] = chip[3 * p]! * scale - shift;
    out[offset + plane + p] = chip[3 * p + 1]! * scale - shift;
    out[offset + 2 * plane + p] = chip[3 * p + 2]! * scale - shift;
  }
}
