import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRng, makeTestProfile } from '../codec/_testing.js';
import { checkLatentShape, latentChannels, quantizeBatch, quantizeLatent, quantizeMargins } from './quantize.js';

/** The nearest entry the slow way: every distance, then the first minimum. */
function bruteForce(latent: Float32Array, offset: number, h: number, w: number, dims: number[], books: Float32Array[]): number[] {
  const hw = h * w, out: number[] = [];
  for (let pos = 0; pos < hw; pos++) {
    let c0 = 0;
    dims.forEach((dim, g) => {
      const k = books[g]!.length / dim;
      const d = Array.from({ length: k }, (_, i) => {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (latent[offset + (c0 + j) * hw + pos]! - books[g]![i * dim + j]!) ** 2;
        return s;
      });
      out.push(d.indexOf(Math.min(...d)));
      c0 += dim;
    });
  }
  return out;
}

describe('quantizeLatent', () => {
  it('matches a brute-force search, in grid order n = (y*W + x)*G + g', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 4 }), (seed, groups) => {
      const dims = Array.from({ length: groups }, (_, g) => 2 + ((seed + g) % 5));
      const { profile } = makeTestProfile({ h: 3, w: 2, k: Array(groups).fill(8 + (seed % 9)), dim: dims, seed });
      const rng = makeRng(seed);
      const c = latentChannels(profile);
      const latent = Float32Array.from({ length: 2 * c * 6 }, () => 6 * rng.next() - 3);
      const grids = quantizeBatch(latent, 2, profile);
      for (let b = 0; b < 2; b++) expect(Array.from(grids[b]!)).toEqual(bruteForce(latent, b * c * 6, 3, 2, dims, [...profile.codebooks]));
    }), { numRuns: 50, seed: 1 });
  });

  it('breaks exact ties towards the lowest index', () => {
    const { profile } = makeTestProfile({ h: 1, w: 1, k: [4], dim: [2] });
    const book = profile.codebooks[0]!;
    book.set([1, 0, 0, 1, -1, 0, 0, -1]); // four entries at distance 1 from the origin
    const grid = new Uint16Array(1);
    quantizeLatent(new Float32Array([0, 0]), 0, profile, grid);
    expect(grid[0]).toBe(0);
    quantizeLatent(new Float32Array([0, -0.5]), 0, profile, grid); // nearest: entry 3
    expect(grid[0]).toBe(3);
    book.set([0, -1], 4); // entry 2 (floats 4..5) now equals entry 3
    quantizeLatent(new Float32Array([0, -0.5]), 0, profile, grid);
    expect(grid[0]).toBe(2);
    expect(quantizeMargins(new Float32Array([0, -0.5]), 0, profile)[0]).toBe(0);
  });

  it('rejects latents that do not fit the profile', () => {
    const { profile } = makeTestProfile({ h: 4, w: 4, k: [8, 8], dim: [3, 5] });
    expect(() => checkLatentShape(profile, [8, 4, 4])).not.toThrow();
    expect(() => checkLatentShape(profile, [9, 4, 4])).toThrow(expect.objectContaining({ code: 'E_PROFILE_MISMATCH' }));
    expect(() => quantizeBatch(new Float32Array(10), 1, profile)).toThrow(expect.objectContaining({ code: 'E_PROFILE_MISMATCH' }));
  });
});
