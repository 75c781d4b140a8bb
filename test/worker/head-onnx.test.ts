/**
 * The embedding head in plain TypeScript equals the trained head run by onnxruntime-node, within
 * 1e-4 (§10.4), for the codec's direct form and the service's tabulated form. Runs once the
 * shipped profiles and their exported heads (`models/<name>.fvqp`, `models/head-<name>.onnx`,
 * input `x` = the gathered codebook vectors, output `embedding`) are in `models/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embedGrid, readProfile, type Profile } from '../../src/codec/index.js';
import { makeRng } from '../../src/codec/_testing.js';
import { Embedder } from '../../src/worker/embedder.js';
import { compileScanModule } from '../../src/worker/match/kernels.js';

const models = new URL('../../models/', import.meta.url);

/** The head's input for a grid: codebook vectors of its indices, in grid order (§10.4). */
function gather(profile: Profile, grid: Uint16Array): Float32Array {
  const G = profile.planes.length;
  const out: number[] = [];
  grid.forEach((idx, n) => {
    const { dim } = profile.planes[n % G]!;
    out.push(...profile.codebooks[n % G]!.subarray(idx * dim, (idx + 1) * dim));
  });
  return Float32Array.from(out);
}

describe('embedding head vs onnxruntime-node', () => {
  for (const name of ['m', 's', 'xs']) {
    const [fvqp, onnx] = [new URL(`${name}.fvqp`, models), new URL(`head-${name}.onnx`, models)];
    it.skipIf(!existsSync(fvqp) || !existsSync(onnx))(`profile ${name}: TS head within 1e-4 of ONNX`, async () => {
      const ort = await import('onnxruntime-node');
      const profile = readProfile(new Uint8Array(readFileSync(fvqp)));
      const session = await ort.InferenceSession.create(onnx.pathname);
      const rng = makeRng(17);
      const k = profile.planes.map((p) => p.k);
      const n = 32;
      const grids = Array.from({ length: n }, () => Uint16Array.from({ length: profile.gridLength }, (_, i) => rng.int(k[i % k.length]!)));
      const x = grids.map((g) => gather(profile, g));
      const width = x[0]!.length;
      const batch = new Float32Array(n * width);
      x.forEach((v, i) => batch.set(v, i * width));
      const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', batch, [n, width]) });
      const reference = result[session.outputNames[0]!]!.data as Float32Array;
      const dim = profile.head.dim;
      const embedders = [new Embedder(profile), new Embedder(profile, { wasm: compileScanModule() })];
      let worst = 0;
      grids.forEach((grid, i) => {
        const want = reference.subarray(i * dim, (i + 1) * dim);
        for (const got of [embedGrid(grid, profile), ...embedders.map((e) => e.embed(grid))]) {
          for (let j = 0; j < dim; j++) worst = Math.max(worst, Math.abs(got[j]! - want[j]!));
        }
      });
      expect(worst).toBeLessThan(1e-4);
    });
  }
});
