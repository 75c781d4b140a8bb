import { describe, expect, it } from 'vitest';
import { readProfile } from '../../codec/index.js';
import { seeded, syntheticProfile } from '../../../test/eval/synthetic-profile.js';
import { quantizeLatent } from '../../sdk/quantize.js';
import { latentOfGrid, planarToRgb } from '../../worker/preview/decoder.js';
import { quantiseInt8, signBits } from './teacher.js';

const profile = readProfile(syntheticProfile({ name: 'm', id: 1, planes: 4, k: 64, maxBytes: 51 }));

/** The SDK's quantiser on one latent. */
function quantiseLatent(latent: Float32Array, p: typeof profile): Uint16Array {
  const grid = new Uint16Array(p.gridLength);
  quantizeLatent(latent, 0, p, grid);
  return grid;
}

describe('latentOfGrid against the SDK quantiser', () => {
  it('put plane g of position (y, x) at grid index (y*W + x)*G + g and channels g*dim..', () => {
    const rand = seeded(7);
    const grid = Uint16Array.from({ length: profile.gridLength }, () => Math.floor(rand() * 64));
    const latent = latentOfGrid(grid, profile);
    expect(latent).toHaveLength(64 * 16);
    // Index 1*4+2 = position (1, 2); plane 3 -> channels 48..63; NCHW offset c*16 + 6.
    const n = 6 * 4 + 3;
    expect(latent[48 * 16 + 6]).toBe(profile.codebooks[3]![grid[n]! * 16]);
    expect(latent[63 * 16 + 6]).toBe(profile.codebooks[3]![grid[n]! * 16 + 15]);
    // A latent made of codebook vectors quantises back to the same grid.
    expect([...quantiseLatent(latent, profile)]).toEqual([...grid]);
  });

  it('picks the nearest entry', () => {
    const latent = latentOfGrid(new Uint16Array(profile.gridLength).fill(5), profile);
    for (let i = 0; i < latent.length; i++) latent[i]! += 1e-4;
    expect(new Set(quantiseLatent(latent, profile))).toEqual(new Set([5]));
  });
});

describe('planarToRgb', () => {
  it('interleaves and clamps', () => {
    const img = planarToRgb(Float32Array.from([0, 1, 0.5, 2, -1, 0.2, 0, 0, 0, 0, 0, 0]), 2);
    expect([...img.data.subarray(0, 6)]).toEqual([0, 0, 0, 255, 51, 0]); // R 0, 1; G -1 (clamped), 0.2
  });
});

describe('teacher quantisers', () => {
  it('int8 keeps the direction within a rounding step', () => {
    const x = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) * 0.2);
    const q = quantiseInt8(x);
    const step = Math.max(...x.map(Math.abs)) / 127;
    for (let i = 0; i < x.length; i++) expect(Math.abs(q[i]! - x[i]!)).toBeLessThanOrEqual(step / 2 + 1e-7);
    expect(quantiseInt8(new Float32Array(4))).toEqual(new Float32Array(4));
  });

  it('1 bit is the sign of x, zero counting as +1', () => {
    expect([...signBits(Float32Array.from([0.1, -0.1, -0.3, 0]))]).toEqual([1, -1, -1, 1]);
  });
});
