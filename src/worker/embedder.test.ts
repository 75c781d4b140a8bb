import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { embedGrid, readProfile, type Profile } from '../codec/index.js';
import { makeRng, makeTestProfile } from '../codec/_testing.js';
import { Embedder } from './embedder.js';
import { compileScanModule } from './match/kernels.js';

function randomGrids(profile: Profile, n: number): Uint16Array[] {
  const rng = makeRng(42);
  const k = profile.planes.map((p) => p.k);
  return Array.from({ length: n }, () => Uint16Array.from({ length: profile.gridLength }, (_, i) => rng.int(k[i % k.length]!)));
}

function expectSameAsCodec(profile: Profile, options = {}): Embedder {
  const e = new Embedder(profile, options);
  const simd = new Embedder(profile, { ...options, wasm: compileScanModule() });
  for (const grid of randomGrids(profile, 20)) {
    const fast = e.embed(grid);
    const fastSimd = simd.embed(grid);
    for (let i = 0; i < fast.length; i++) expect(Math.abs(fastSimd[i]! - fast[i]!)).toBeLessThan(1e-5);
    const direct = embedGrid(grid, profile);
    expect(fast.length).toBe(direct.length);
    let worst = 0;
    for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs(fast[i]! - direct[i]!));
    expect(worst).toBeLessThan(1e-5);
  }
  return e;
}

describe('Embedder', () => {
  it('equals embedGrid with one plane', () => {
    expect(expectSameAsCodec(makeTestProfile({ h: 8, w: 8, k: 64, dim: 4, headDim: 128, seed: 3 }).profile).tabulated).toBe(true);
  });

  it('equals embedGrid with product quantisation (several planes of different sizes)', () => {
    expect(expectSameAsCodec(makeTestProfile({ h: 3, w: 5, k: [16, 32, 8], dim: [4, 2, 3], seed: 9 }).profile).tabulated).toBe(true);
  });

  it('falls back to embedGrid beyond the table budget', () => {
    expect(expectSameAsCodec(makeTestProfile({ seed: 5 }).profile, { maxTableFloats: 10 }).tabulated).toBe(false);
  });

  for (const name of ['m', 's']) {
    const file = new URL(`../../models/${name}.fvqp`, import.meta.url);
    it.skipIf(!existsSync(file))(`equals embedGrid on the shipped profile ${name}`, () => {
      expectSameAsCodec(readProfile(new Uint8Array(readFileSync(file))));
    });
  }
});
