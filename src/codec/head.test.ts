import { describe, expect, it } from 'vitest';
import { cosineSimilarity, embedGrid, embedGridInto, prepareHead } from './head.js';
import { readProfile, writeProfile } from './profile.js';
import { makeRng, makeTestProfile, sampleGrid } from './_testing.js';
import type { Profile } from './profile.js';
import { FacevqError } from './errors.js';

/** §10.4 written out plainly: gather, then each layer on a number[]. */
function reference(grid: ArrayLike<number>, profile: Profile): number[] {
  const G = profile.planes.length;
  let x: number[] = [];
  for (let n = 0; n < grid.length; n++) {
    const { dim } = profile.planes[n % G]!;
    const cb = profile.codebooks[n % G]!;
    for (let j = 0; j < dim; j++) x.push(cb[grid[n]! * dim + j]!);
  }
  for (const l of profile.head.layers) {
    if (l.op === 'dense') {
      x = Array.from({ length: l.out }, (_, o) => {
        let s = l.bias[o]!;
        for (let i = 0; i < l.in; i++) s += l.weight[o * l.in + i]! * x[i]!;
        return s;
      });
    } else if (l.op === 'relu') x = x.map((v) => Math.max(v, 0));
    else if (l.op === 'prelu') x = x.map((v, i) => (v >= 0 ? v : l.alpha[i]! * v));
    else {
      const norm = Math.max(Math.sqrt(x.reduce((a, v) => a + v * v, 0)), 1e-12);
      x = x.map((v) => v / norm);
    }
  }
  return x;
}

describe('embedding head (§10.4)', () => {
  const profiles = [
    makeTestProfile({ h: 4, w: 4, k: 32, dim: 6, seed: 1 }).profile,
    makeTestProfile({ h: 3, w: 2, k: [16, 9], dim: [3, 5], seed: 2, headDim: 5 }).profile,
  ];

  it('matches the plain transcription to 1e-6', () => {
    for (const p of profiles) {
      const rng = makeRng(7);
      for (let i = 0; i < 20; i++) {
        const grid = sampleGrid(p, rng);
        const e = embedGrid(grid, p);
        expect(e.length).toBe(p.head.dim);
        reference(grid, p).forEach((v, j) => expect(e[j]).toBeCloseTo(v, 6));
        const norm = Math.hypot(...e);
        expect(norm).toBeCloseTo(1, 5);
      }
    }
  });

  it('embedGridInto writes into the given array and reuses scratch safely', () => {
    const p = profiles[0]!;
    const a = sampleGrid(p, makeRng(1)), b = sampleGrid(p, makeRng(2));
    const out = new Float32Array(p.head.dim);
    expect(embedGridInto(a, p, out)).toBe(out);
    const ea = Float32Array.from(out);
    const eb = embedGrid(b, p);
    expect(embedGrid(a, p)).toEqual(ea);
    expect(cosineSimilarity(ea, ea)).toBeCloseTo(1, 6);
    expect(cosineSimilarity(ea, eb)).toBeLessThan(1);
    expect(() => embedGridInto(a, p, new Float32Array(3))).toThrow(RangeError);
  });

  it('rejects bad grids with E_GRID', () => {
    const p = profiles[0]!;
    expect(() => embedGrid(new Uint16Array(3), p)).toThrow(FacevqError);
    const bad = sampleGrid(p, makeRng(1));
    bad[5] = 32;
    expect(() => embedGrid(bad, p)).toThrow(expect.objectContaining({ code: 'E_GRID' }));
  });

  it('prepareHead folds the first dense layer without changing results', () => {
    const p = makeTestProfile({ h: 3, w: 2, k: [16, 9], dim: [3, 5], seed: 5 }).profile;
    const rng = makeRng(3);
    const grids = Array.from({ length: 30 }, () => sampleGrid(p, rng));
    const plain = grids.map((g) => embedGrid(g, p));
    expect(prepareHead(p, 100)).toBe(false); // over the cap: nothing changes
    expect(prepareHead(p)).toBe(true);
    expect(prepareHead(p)).toBe(true); // idempotent
    grids.forEach((g, i) => embedGrid(g, p).forEach((v, j) => expect(v).toBeCloseTo(plain[i]![j]!, 6)));
    const bad = grids[0]!.slice();
    bad[1] = 9; // plane 1 has K = 9
    expect(() => embedGrid(bad, p)).toThrow(expect.objectContaining({ code: 'E_GRID' }));
    expect(() => embedGrid(new Uint16Array(2), p)).toThrow(expect.objectContaining({ code: 'E_GRID' }));
  });

  it('prepareHead declines a head that does not start with a dense layer', () => {
    const { input } = makeTestProfile({ h: 2, w: 2, k: 8, dim: 2, seed: 6 });
    const p = readProfile(writeProfile({ ...input, head: { dim: 8, layers: [{ op: 'relu' }, { op: 'l2norm' }] } }));
    expect(prepareHead(p)).toBe(false);
    const e = embedGrid([1, 2, 3, 4], p);
    expect(Math.hypot(...e)).toBeCloseTo(1, 5);
  });
});
