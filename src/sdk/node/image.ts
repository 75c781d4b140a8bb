/** Image decoding in Node, through sharp (an optional peer dependency). */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { FaceEncoderError } from '../errors.js';
import { imageFormat } from '../image-format.js';
import { decodePnm } from './pnm.js';

/** Decoded pixels: row-major RGB, 3 bytes a pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

type Sharp = typeof import('sharp').default;

let sharpModule: Sharp | undefined;

/** Loads sharp on first use, with an error that says how to get it. */
export function loadSharp(): Sharp {
  if (sharpModule) return sharpModule;
  try {
    sharpModule = createRequire(import.meta.url)('sharp') as Sharp;
  } catch (cause) {
    throw new FaceEncoderError('E_RUNTIME_UNAVAILABLE', 'decoding image files needs the optional package sharp: npm i sharp', { cause });
  }
  return sharpModule;
}

/**
 * Decodes an image file or encoded buffer to RGB: JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF through
 * sharp, PGM/PPM (which sharp does not read) through pnm.ts. Throws {@link FaceEncoderError}
 * `E_IMAGE` for an empty file, another format or a corrupt one (sharp's own error as the cause).
 */
export async function decodeImage(input: string | Uint8Array): Promise<RgbImage> {
  const bytes = typeof input === 'string' ? new Uint8Array(fs.readFileSync(input)) : input;
  const name = typeof input === 'string' ? input : 'the image';
  const format = imageFormat(bytes);
  if (bytes.length === 0) throw new FaceEncoderError('E_IMAGE', `${name} is empty (0 bytes)`);
  if (format === undefined) throw new FaceEncoderError('E_IMAGE', `${name} is not a JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, PGM or PPM image`);
  if (format === 'pnm') return decodePnm(bytes);
  const sharp = loadSharp();
  let decoded: { data: Buffer; info: { channels: number; width: number; height: number } };
  try {
    decoded = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new FaceEncoderError('E_IMAGE', `${name}: cannot decode this ${format.toUpperCase()} file (${(cause as Error).message.trim()})`, { cause });
  }
  const { data, info } = decoded;
  const rgb = info.channels === 3 ? data : expandToRgb(data, info.channels);
  return { data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), width: info.width, height: info.height };
}

function expandToRgb(data: Uint8Array, channels: number): Uint8Array {
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i * channels]!;
  return out;
}

/** The image mirrored left to right (a second view of every face in it). */
export function mirrorImage(image: RgbImage): RgbImage {
  const { width, height } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      data.set(image.data.subarray(from, from + 3), (y * width + width - 1 - x) * 3);
    }
  }
  return { data, width, height };
}
