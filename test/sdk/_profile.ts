/**
 * Profiles for the SDK's tests. The shipped `models/m.fvqp` and `models/s.fvqp` are used when they
 * exist and name the encoder in `models/`; until then (and for an encoder they do not name), a
 * stand-in with the same shapes is built: m = 4 planes of K=64, dim 16; s = 2 planes of K=128, dim
 * 32; a 4x4 grid; the SDK's crop. Its codebooks are latents of real face chips (plus a little
 * noise), so nearest-entry searches meet realistic distances and near-ties, not random ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readProfile, writeProfile, type Profile } from '../../src/codec/index.js';
import { sha256 } from '../../src/codec/_sha256.js';
import { makeRng, makeTestProfile } from '../../src/codec/_testing.js';
import { FACE_TEMPLATE } from '../../src/sdk/align.js';
import { chipToTensor } from '../../src/sdk/preprocess.js';
import { TsFrameEncoder } from '../../src/sdk/runtime/ts/index.js';

export const MODELS = path.resolve('models');
export const ENCODER_PATH = path.join(MODELS, 'encoder.onnx');

/** Shapes of the shipped profiles: [planes, dim, K]. */
const SHAPES = { m: [4, 16, 64], s: [2, 32, 128] } as const;

/** The encoder ONNX of `models/`. */
export function encoderBytes(): Uint8Array {
  return new Uint8Array(fs.readFileSync(ENCODER_PATH));
}

/**
 * The shipped profile `name` when it exists and names `model` (default: `models/encoder.onnx`),
 * else a stand-in built from `chips` (aligned 64x64 RGB faces) run through `model`. Returns the
 * profile file's bytes.
 */
export function testProfileBytes(name: 'm' | 's', chips: readonly Uint8Array[], model = encoderBytes(), id = name === 'm' ? 1 : 2): Uint8Array {
  const shipped = path.join(MODELS, `${name}.fvqp`);
  if (fs.existsSync(shipped)) {
    const bytes = new Uint8Array(fs.readFileSync(shipped));
    const p = readProfile(bytes);
    if (p.encoder && Buffer.from(p.encoder.sha256).equals(Buffer.from(sha256(model)))) return bytes;
  }
  const [groups, dim, k] = SHAPES[name];
  const size = 64, encoder = new TsFrameEncoder(model, [3, size, size]);
  const input = new Float32Array(chips.length * 3 * size * size);
  chips.forEach((c, b) => chipToTensor(c, size, 0.5, 0.5, input, b * 3 * size * size));
  const latent = encoder.runSync(input, chips.length);
  const rng = makeRng(7);
  const codebooks = Array.from({ length: groups }, (_, g) => {
    const book = new Float32Array(k * dim);
    for (let i = 0; i < k; i++) {
      const b = rng.int(chips.length), pos = rng.int(16);
      for (let j = 0; j < dim; j++) book[i * dim + j] = latent[b * 1024 + (g * dim + j) * 16 + pos]! * (1 + 0.05 * (rng.next() - 0.5));
    }
    return book;
  });
  const base = makeTestProfile({ id, name, k: Array(groups).fill(k), dim, seed: 3, maxBytes: name === 'm' ? 51 : 31 }).input;
  return writeProfile({
    ...base,
    codebooks,
    crop: { size, channels: 3, template: [...FACE_TEMPLATE] },
    encoder: { file: 'encoder.onnx', sha256: sha256(model), mean: 0.5, std: 0.5 },
    meta: { synthetic: true, note: 'SDK test stand-in: codebooks sampled from real face latents' },
  });
}

/** {@link testProfileBytes}, read. */
export function testProfile(name: 'm' | 's', chips: readonly Uint8Array[], model?: Uint8Array): Profile {
  return readProfile(testProfileBytes(name, chips, model));
}
