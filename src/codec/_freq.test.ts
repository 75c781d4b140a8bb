import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitFrequencies, makeFreqTable, symbolAt, PROB_SCALE } from './_freq.js';

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((x, y) => x + y, 0);

describe('frequency tables (§6.1)', () => {
  it('fitFrequencies gives a valid table for any counts', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1_000_000 }), { minLength: 2, maxLength: 600 }), (counts) => {
        const f = fitFrequencies(counts);
        expect(f.length).toBe(counts.length);
        expect(sum(f)).toBe(PROB_SCALE);
        expect(Math.min(...f)).toBeGreaterThanOrEqual(1);
        expect(fitFrequencies(counts)).toEqual(f); // deterministic
      }),
    );
  });

  it('fitFrequencies is close to the ideal cross-entropy', () => {
    const k = 512;
    const counts = Array.from({ length: k }, (_, i) => Math.round(1e6 / (i + 1) ** 1.1));
    const f = fitFrequencies(counts);
    const total = sum(counts);
    let ideal = 0, actual = 0;
    for (let s = 0; s < k; s++) {
      const p = counts[s]! / total;
      ideal -= p * Math.log2(p);
      actual -= p * Math.log2(f[s]! / PROB_SCALE);
    }
    expect(actual - ideal).toBeLessThan(0.005); // bits per symbol
  });

  it('fitFrequencies handles all-zero counts and rejects bad input', () => {
    const f = fitFrequencies([0, 0, 0]);
    expect(sum(f)).toBe(PROB_SCALE);
    expect(Math.max(...f) - Math.min(...f)).toBeLessThanOrEqual(1);
    expect(() => fitFrequencies([])).toThrow(RangeError);
    expect(() => fitFrequencies([1, -1])).toThrow(RangeError);
    expect(() => fitFrequencies([1, NaN])).toThrow(RangeError);
  });

  it('symbolAt finds the symbol of every t', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 2, maxLength: 300 }), (counts) => {
        const t = makeFreqTable(fitFrequencies(counts));
        for (let s = 0; s < counts.length; s++) {
          const lo = t.cum[s]!, hi = t.cum[s + 1]!;
          expect(hi - lo).toBe(t.freq[s]);
          for (const q of [lo, hi - 1, (lo + hi) >> 1]) expect(symbolAt(t, q)).toBe(s);
          expect(t.cost[s]).toBeCloseTo(-Math.log2(t.freq[s]! / PROB_SCALE), 12);
        }
      }),
      { numRuns: 50 },
    );
  });
});
