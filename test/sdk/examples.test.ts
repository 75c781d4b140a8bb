/**
 * The examples run here so they cannot rot: the browser snippet's functions in Node with
 * onnxruntime-web (and a stand-in canvas), and the Node device script against the matcher served
 * over HTTP in this process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readProfile } from '../../src/codec/index.js';
import { FaceEncoder } from '../../src/sdk/face-encoder.js';
import { createApp } from '../../src/worker/app.js';
import { listen } from '../../src/worker/adapter/node.js';
import { ProfileRegistry } from '../../src/worker/profiles.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { KEYS, testKeyStore } from '../worker/fixtures.js';
import { demoChips, demoImagePaths, demoImages } from './_faces.js';
import { ENCODER_PATH, encoderBytes, testProfileBytes } from './_profile.js';

vi.mock('facevq/sdk', async () => await import('../../src/sdk/index.js'));

let profileBytes: Uint8Array;
beforeAll(async () => {
  profileBytes = testProfileBytes('m', await demoChips());
});

describe('examples/browser/encode.js', () => {
  it('encodes a face from a canvas with onnxruntime-web, as the TypeScript runtime does', async () => {
    const { loadEncoder, encodeCanvas } = await import('../../examples/browser/encode.js');
    const { image, faces } = (await demoImages())[0]!;
    const rgba = new Uint8ClampedArray(image.width * image.height * 4);
    for (let p = 0; p < image.width * image.height; p++) {
      rgba.set(image.data.subarray(3 * p, 3 * p + 3), 4 * p);
      rgba[4 * p + 3] = 255;
    }
    const canvas = { width: image.width, height: image.height, getContext: () => ({ getImageData: () => ({ data: rgba, width: image.width, height: image.height }) }) };
    const fetched: string[] = [];
    const fetchFiles = async (url: string) => { fetched.push(url); return new Response(new Uint8Array(url.endsWith('.onnx') ? encoderBytes() : profileBytes)); };
    const encoder = await loadEncoder({ ort: ortWeb, profile: 'https://app.example/models/m.fvqp', model: 'https://app.example/models/encoder.onnx', fetch: fetchFiles });
    expect(encoder.runtime).toBe('onnxruntime-web');
    expect(fetched.sort()).toEqual(['https://app.example/models/encoder.onnx', 'https://app.example/models/m.fvqp']);

    const reference = await FaceEncoder.load({ profile: profileBytes, modelBytes: encoderBytes(), runtime: 'ts' });
    for (const face of [{ landmarks5: faces[0]!.landmarks5 }, { box: faces[1]!.box }]) {
      const { payload, hex } = await encodeCanvas(encoder, canvas, face);
      expect(payload.length).toBeLessThanOrEqual(readProfile(profileBytes).maxBytes);
      expect(hex).toBe(Buffer.from(payload).toString('hex'));
      const want = await reference.encode({ pixels: image.data, width: image.width, height: image.height, channels: 3, ...face } as never);
      expect(payload).toEqual(want.payload);
    }
  });
});

describe('examples/node-device.ts', () => {
  let server: { url: string; close(): Promise<void> };
  let dir: string;
  beforeAll(async () => {
    const profiles = new ProfileRegistry([readProfile(profileBytes)]);
    const app = createApp({ store: createMemoryStore(), profiles, keys: await testKeyStore(), limits: { rate: null } });
    server = await listen(app, 0, '127.0.0.1');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fvq-device-'));
    fs.writeFileSync(path.join(dir, 'm.fvqp'), profileBytes);
    const [a, b, c] = demoImagePaths();
    fs.mkdirSync(path.join(dir, 'photos', 'alice'), { recursive: true });
    fs.copyFileSync(a!, path.join(dir, 'photos', 'alice', '1.jpg'));
    fs.copyFileSync(b!, path.join(dir, 'photos', 'alice', '2.jpg'));
    fs.copyFileSync(c!, path.join(dir, 'photos', 'bob.jpg'));
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls a folder, then identifies it, over HTTP', async () => {
    const { main, subjectsIn } = await import('../../examples/node-device.js');
    expect([...subjectsIn(path.join(dir, 'photos')).keys()]).toEqual(['alice', 'bob']);
    const common = ['--dir', path.join(dir, 'photos'), '--url', server.url, '--key', KEYS.aWrite, '--gallery', 'staff', '--profile', path.join(dir, 'm.fvqp'), '--model', ENCODER_PATH, '--runtime', 'ts'];
    const enrolled: Record<string, unknown>[] = [];
    await main(['enroll', ...common], (l) => enrolled.push(l as Record<string, unknown>));
    expect(enrolled).toEqual([
      expect.objectContaining({ subject: 'alice', added: 2, created: true }),
      expect.objectContaining({ subject: 'bob', added: 1, created: true }),
    ]);
    const identified: Record<string, unknown>[] = [];
    await main(['identify', ...common], (l) => identified.push(l as Record<string, unknown>));
    expect(identified).toHaveLength(3);
    for (const line of identified) expect(line.candidates).toHaveLength(2);
  });
});
