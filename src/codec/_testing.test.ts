import { describe, expect, it } from 'vitest';
import { makeRng, makeTestProfile, sampleGrid, uniformGrid, zipfFrequencies } from './_testing.js';

describe('test helpers', () => {
  it('makeTestProfile is a pure function of its options', () => {
    const a = makeTestProfile({ id: 3, h: 2, w: 2, k: [8, 4], dim: 2, seed: 9, context: true });
    const b = makeTestProfile({ id: 3, h: 2, w: 2, k: [8, 4], dim: 2, seed: 9, context: true });
    expect(a.bytes).toEqual(b.bytes);
    expect(a.profile.context!.tables.length).toBe(8);
    expect(makeTestProfile({ seed: 10 }).bytes).not.toEqual(makeTestProfile({ seed: 11 }).bytes);
  });

  it('samples grids that follow the prior', () => {
    const { profile } = makeTestProfile({ h: 8, w: 8, k: 64, seed: 1 });
    const rng = makeRng(2);
    const counts = new Float64Array(64);
    for (let i = 0; i < 500; i++) for (const s of sampleGrid(profile, rng)) counts[s]!++;
    const top = profile.prior[0]!.freq.indexOf(Math.max(...profile.prior[0]!.freq));
    expect(counts[top]! / (500 * 64)).toBeCloseTo(profile.prior[0]!.freq[top]! / 32768, 1);
    expect(Math.max(...uniformGrid(profile, rng))).toBeLessThan(64);
  });

  it('zipfFrequencies is skewed and valid', () => {
    const f = zipfFrequencies(512, 1.1, makeRng(1));
    expect(f.reduce((a, b) => a + b, 0)).toBe(32768);
    expect(Math.max(...f)).toBeGreaterThan(3000);
  });
});
