import { describe, expect, it } from 'vitest';
import { compareInt8Identification, compareInt8Verification, int8Cosine, type Labelled, type Pair } from './int8-check.js';
import { noisyCapture, randomUnitVectors } from './synthetic.js';

const DIM = 128;
const people = randomUnitVectors(500, DIM, 1);
const person = (i: number) => people.subarray(i * DIM, (i + 1) * DIM);

describe('int8 accuracy (synthetic identities, noise 0.9: cosine ~0.75 same, ~0 different)', () => {
  it('keeps cosines within 0.01 and verification accuracy unchanged', () => {
    const pairs: Pair[] = [];
    for (let i = 0; i < 1000; i++) {
      const a = i % 500, b = i % 2 ? a : (a + 1 + (i % 7)) % 500;
      pairs.push({ a: noisyCapture(person(a), 0.9, 2 * i), b: noisyCapture(person(b), 0.9, 2 * i + 1), same: a === b });
    }
    const r = compareInt8Verification(pairs, 0.4);
    expect(r.maxAbsScoreError).toBeLessThan(0.01);
    expect(Math.abs(r.accuracyF32 - r.accuracyI8)).toBeLessThanOrEqual(0.002);
    expect(r.decisionFlips).toBeLessThanOrEqual(2);
  });

  it('identifies as well as f32', () => {
    const gallery: Labelled[] = Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, vector: noisyCapture(person(i), 0.9, 10_000 + i) }));
    const probes: Labelled[] = Array.from({ length: 500 }, (_, i) => ({ id: `p${i}`, vector: noisyCapture(person(i), 0.9, 20_000 + i) }));
    const r = compareInt8Identification(gallery, probes);
    expect(r.rank1F32).toBeGreaterThan(0.9);
    expect(r.rank1I8Rescored).toBe(r.rank1F32);
    expect(Math.abs(r.rank1I8Raw - r.rank1F32)).toBeLessThanOrEqual(0.004);
  });

  it('int8Cosine of a vector with itself is ~1', () => {
    expect(Math.abs(int8Cosine(person(3), person(3)) - 1)).toBeLessThan(0.002);
  });
});
