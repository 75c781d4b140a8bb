/**
 * The ONNX teacher (faceres-onnx.ts, built by training/faceres.py from human-models' own files)
 * against the tfjs teacher (faceres.ts) on real faces: the demo photos' aligned chips. They must
 * be one teacher, since caches of either runtime mix.
 *
 * The graph is built here when missing, which needs Debian's python3-torch and python3-onnx
 * (`/usr/bin/python3`, as CI installs them); without them the test says so and skips.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceApi } from '../../src/sdk/node/faceapi.js';
import { FACERES_ONNX_DEFAULT, FaceResOnnx } from '../../src/sdk/node/faceres-onnx.js';
import { FaceRes } from '../../src/sdk/node/faceres.js';
import { demoChips } from './_faces.js';

const PYTHON = '/usr/bin/python3';
const hasTorch = (() => {
  try { execFileSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }); return true; } catch { return false; }
})();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-faceres-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The cached graph, or one built now in a temporary folder. */
function graph(): string {
  if (fs.existsSync(FACERES_ONNX_DEFAULT)) return FACERES_ONNX_DEFAULT;
  const file = path.join(tmp, 'faceres.onnx');
  execFileSync(PYTHON, ['training/faceres.py', '--onnx', file], { stdio: 'ignore' });
  return file;
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! * a[i]!; bb += b[i]! * b[i]!; }
  return ab / Math.sqrt(aa * bb);
};

describe.skipIf(!hasTorch && !fs.existsSync(FACERES_ONNX_DEFAULT))('faceres on onnxruntime-node (skipped: no cached graph and no /usr/bin/python3 with torch and onnx to build one)', () => {
  let chips: Uint8Array[] = [];
  beforeAll(async () => { chips = (await demoChips(64)).slice(0, 12); }, 300_000);

  it('gives the tfjs teacher\'s descriptors on real faces (cosine > 0.9999)', async () => {
    expect(chips.length).toBeGreaterThanOrEqual(8);
    const onnx = await (await FaceResOnnx.load(graph())).describe(chips, 64);
    await FaceApi.load({ descriptor: false }); // sets up the tfjs wasm backend faceres runs on
    const tfjs = await (await FaceRes.load()).describe(chips, 64);
    for (let i = 0; i < chips.length; i++) {
      expect(onnx[i]!.length).toBe(1024);
      expect(cosine(onnx[i]!, tfjs[i]!)).toBeGreaterThan(0.9999);
      // And not merely parallel: the same values, up to float rounding.
      expect(Math.max(...onnx[i]!.map((v, j) => Math.abs(v - tfjs[i]![j]!)))).toBeLessThan(0.05);
    }
    // Different faces stay different (a graph that ignored its input would pass the above only for one face).
    expect(cosine(onnx[0]!, onnx[1]!)).toBeLessThan(0.99);
  }, 300_000);

  it('refuses a chip of the wrong size', async () => {
    const teacher = await FaceResOnnx.load(graph());
    await expect(teacher.describe([new Uint8Array(10)], 64)).rejects.toThrow(RangeError);
  }, 300_000);
});
