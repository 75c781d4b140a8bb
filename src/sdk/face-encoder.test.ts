import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeGrid, readProfile, writeProfile, type Profile } from '../codec/index.js';
import { makeTestProfile } from '../codec/_testing.js';
import { demoImages, type DemoImage } from '../../test/sdk/_faces.js';
import { encoderBytes, testProfileBytes } from '../../test/sdk/_profile.js';
import { alignFace } from './align.js';
import { FaceEncoderError } from './errors.js';
import { FaceEncoder } from './face-encoder.js';
import type { FaceInput } from './preprocess.js';

let images: DemoImage[];
let faces: FaceInput[];
let profileBytes: Uint8Array;
let profile: Profile;
let encoder: FaceEncoder;

beforeAll(async () => {
  images = await demoImages();
  faces = images.flatMap(({ image, faces }) => faces.map((f) => ({ pixels: image.data, width: image.width, height: image.height, channels: 3 as const, landmarks5: f.landmarks5 })));
  const chips = faces.map((f) => alignFace(f.pixels, f.width, f.height, 3, f.landmarks5!, 64));
  profileBytes = testProfileBytes('m', chips);
  profile = readProfile(profileBytes);
  encoder = await FaceEncoder.load({ profile: profileBytes, modelBytes: encoderBytes(), runtime: 'ts' });
});

describe('FaceEncoder', () => {
  it('loads from bytes and encodes a face into a payload that decodes to its grid', async () => {
    expect(encoder.runtime).toBe('ts');
    const { payload, grid, timings } = await encoder.encode(faces[0]!, { withGrid: true, withTimings: true });
    expect(payload.length).toBeLessThanOrEqual(profile.maxBytes);
    expect(Array.from(decodeGrid(payload, profile).grid)).toEqual(Array.from(grid!));
    expect(Object.keys(timings!).sort()).toEqual(['codecMs', 'cropMs', 'encoderMs', 'quantizeMs']);
    expect(timings!.encoderMs).toBeGreaterThan(0);
  });

  it('encodes without grid or timings unless asked', async () => {
    const out = await encoder.encode(faces[0]!);
    expect(Object.keys(out)).toEqual(['payload']);
  });

  it('honours mode and extensions', async () => {
    const fixed = await encoder.encode(faces[1]!, { mode: 0 });
    expect(fixed.payload.length).toBe(3 + profile.fixedBodyBytes);
    expect(decodeGrid(fixed.payload, profile).mode).toBe(0);
    // 51 bytes leave no room for extensions in mode 0: the codec's E_OVER_BOUND comes through.
    await expect(encoder.encode(faces[1]!, { mode: 0, extensions: { captureTime: 1 } })).rejects.toMatchObject({ code: 'E_OVER_BOUND' });
    const roomy = writeProfile({
      ...makeTestProfile({ id: 3, h: 4, w: 4, k: [64, 64, 64, 64], dim: 16 }).input,
      codebooks: profile.codebooks, crop: profile.crop, encoder: profile.encoder!, maxBytes: 80,
    });
    const big = await FaceEncoder.load({ profile: roomy, frameEncoder: encoder.frameEncoder });
    const withTime = await big.encode(faces[1]!, { mode: 0, extensions: { captureTime: 1_700_000_000 } });
    const decoded = decodeGrid(withTime.payload, big.profile);
    expect(decoded.extensions.captureTime).toBe(1_700_000_000);
    expect(decoded.grid).toEqual(decodeGrid(fixed.payload, profile).grid);
  });

  it('encodeMany equals encode one by one, and encodeChip equals encode', async () => {
    const many = await encoder.encodeMany(faces.slice(0, 5), { withGrid: true });
    for (let i = 0; i < 5; i++) {
      const one = await encoder.encode(faces[i]!, { withGrid: true });
      expect(many[i]!.payload).toEqual(one.payload);
    }
    const f = faces[2]!;
    const chip = alignFace(f.pixels, f.width, f.height, 3, f.landmarks5!, 64);
    expect((await encoder.encodeChip(chip)).payload).toEqual(many[2]!.payload);
    expect(await encoder.encodeMany([])).toEqual([]);
  });

  it('encodes from a box (mean-shape landmarks) and from RGBA', async () => {
    const { image, faces: found } = images[0]!;
    const boxed = await encoder.encode({ pixels: image.data, width: image.width, height: image.height, channels: 3, box: found[0]!.box }, { withGrid: true });
    expect(decodeGrid(boxed.payload, profile).grid).toEqual(boxed.grid);
    const rgba = new Uint8Array(image.width * image.height * 4);
    for (let p = 0; p < image.width * image.height; p++) { rgba.set(image.data.subarray(3 * p, 3 * p + 3), 4 * p); rgba[4 * p + 3] = 255; }
    const a = await encoder.encode({ pixels: rgba, width: image.width, height: image.height, channels: 4, landmarks5: found[0]!.landmarks5 });
    expect(a.payload).toEqual((await encoder.encode(faces[0]!)).payload);
  });

  it('refuses an encoder whose hash is not the profile\'s', async () => {
    const other = encoderBytes().slice();
    other[other.length - 1]! ^= 1;
    await expect(FaceEncoder.load({ profile: profileBytes, modelBytes: other, runtime: 'ts' })).rejects.toMatchObject({ code: 'E_MODEL_HASH' });
  });

  it('refuses a profile whose grid does not fit the encoder', async () => {
    const wrong = makeTestProfile({ h: 4, w: 4, k: [64, 64], dim: [16, 16] }).input;
    const bytes = writeProfile({ ...wrong, crop: profile.crop });
    await expect(FaceEncoder.load({ profile: bytes, modelBytes: encoderBytes(), runtime: 'ts' })).rejects.toMatchObject({ code: 'E_PROFILE_MISMATCH' });
  });

  it('reads shipped models from a models folder, default profile m', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fvq-models-'));
    try {
      await expect(FaceEncoder.load({ modelsDir: dir, runtime: 'ts' })).rejects.toMatchObject({ code: 'E_MODEL_MISSING' });
      fs.writeFileSync(path.join(dir, 'm.fvqp'), profileBytes);
      fs.writeFileSync(path.join(dir, 'encoder.onnx'), encoderBytes());
      const loaded = await FaceEncoder.load({ modelsDir: dir, runtime: 'ts' });
      expect(loaded.profile.sha256).toEqual(profile.sha256);
      expect((await loaded.encode(faces[0]!)).payload).toEqual((await encoder.encode(faces[0]!)).payload);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects unknown profile names and runtimes', async () => {
    await expect(FaceEncoder.load({ profile: 'xl' as 'm' })).rejects.toBeInstanceOf(FaceEncoderError);
    await expect(FaceEncoder.load({ profile: profileBytes, modelBytes: encoderBytes(), runtime: 'gpu' as 'ts' })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
