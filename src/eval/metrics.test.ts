import { describe, expect, it } from 'vitest';
import { accuracyAt, bestThreshold, cosine, kFoldAccuracy, meanStd, rocAuc, rocCurve, tarAtFar } from './metrics.js';

// Six pairs worked by hand: genuine at 0.9, 0.8, 0.6; impostors at 0.7, 0.5, 0.4.
const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
const same = [true, true, false, true, false, false];

describe('bestThreshold', () => {
  it('finds the midpoint with the best accuracy', () => {
    // Sweeping up: 3, 4, 5 (past 0.5), 4, 5 (tie, kept lower), 4, 3 correct out of 6.
    expect(bestThreshold(scores, same)).toEqual({ threshold: 0.55, accuracy: 5 / 6 });
    expect(accuracyAt(scores, same, 0.55)).toBe(5 / 6);
  });

  it('can call everything "same" or everything "different"', () => {
    expect(bestThreshold([0.2, 0.3], [true, true])).toEqual({ threshold: 0.2 - 1, accuracy: 1 });
    expect(bestThreshold([0.2, 0.3], [false, false])).toEqual({ threshold: 0.3 + 1, accuracy: 1 });
  });

  it('treats tied scores as one step', () => {
    // Both pairs at 0.5: any threshold gets exactly one right.
    expect(bestThreshold([0.5, 0.5], [true, false]).accuracy).toBe(0.5);
  });
});

describe('kFoldAccuracy', () => {
  it('chooses each fold\'s threshold on the other folds', () => {
    // Fold 0: (0.9 same), (0.2 diff). Fold 1: (0.7 same), (0.6 diff), (0.3 same).
    // Fold 0 is scored at fold 1's best threshold, 0.3 - 1 (all "same": 2 of 3) -> 1/2 right.
    // Fold 1 is scored at fold 0's best threshold, 0.55 -> only 0.7 right -> 1/3.
    const r = kFoldAccuracy([0.9, 0.2, 0.7, 0.6, 0.3], [true, false, true, false, true], [0, 0, 1, 1, 1]);
    expect(r.thresholds).toEqual([0.3 - 1, 0.55]);
    expect(r.accuracies).toEqual([0.5, 1 / 3]);
    expect(r.mean).toBeCloseTo(5 / 12, 12);
    expect(r.std).toBeCloseTo(1 / 6 / Math.SQRT2, 12);
  });

  it('needs two folds', () => {
    expect(() => kFoldAccuracy([1, 0], [true, false], [0, 0])).toThrow(RangeError);
  });
});

describe('meanStd', () => {
  it('uses the sample standard deviation', () => {
    const { mean, std } = meanStd([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([0.7]).std).toBe(0);
  });
});

describe('tarAtFar', () => {
  it('accepts at most floor(far * impostors) impostors', () => {
    // far 1/3 of 3 impostors: one may pass; threshold = second highest impostor (0.5), strict.
    expect(tarAtFar(scores, same, 1 / 3)).toEqual({ tar: 1, far: 1 / 3, threshold: 0.5, allowed: 1 });
    // far 0.1: none may pass; threshold = highest impostor (0.7); 0.9 and 0.8 pass.
    expect(tarAtFar(scores, same, 0.1)).toEqual({ tar: 2 / 3, far: 0, threshold: 0.7, allowed: 0 });
  });

  it('never lets ties with an impostor through', () => {
    // A genuine pair tied with the highest impostor is rejected.
    expect(tarAtFar([0.5, 0.5, 0.9], [true, false, true], 0.001).tar).toBe(0.5);
  });

  it('accepts every pair when every impostor may pass', () => {
    expect(tarAtFar([0.1, 0.2], [true, false], 1)).toMatchObject({ tar: 1, far: 1, threshold: -Infinity });
  });

  it('gives 3 of 3,000 impostors at FAR 1e-3 (the LFW View 2 count)', () => {
    const s = Array.from({ length: 6000 }, (_, i) => (i < 3000 ? 2 + i : i - 3000) / 10000);
    const t = tarAtFar(s, s.map((_, i) => i < 3000), 1e-3);
    expect(t.allowed).toBe(3);
    expect(t.far).toBe(1e-3);
    expect(t.threshold).toBe(2996 / 10000);
  });
});

describe('rocAuc', () => {
  it('is the share of genuine-impostor pairs ranked right', () => {
    // 0.9 and 0.8 beat all 3 impostors, 0.6 beats 2: 8 of 9.
    expect(rocAuc(scores, same)).toBeCloseTo(8 / 9, 12);
  });

  it('counts ties as one half', () => {
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    expect(rocAuc([0.5, 0.5, 0.7], [true, false, true])).toBe(0.75);
  });

  it('is 1 for perfect separation and 0 for perfect inversion', () => {
    expect(rocAuc([0.9, 0.1], [true, false])).toBe(1);
    expect(rocAuc([0.1, 0.9], [true, false])).toBe(0);
  });
});

describe('rocCurve', () => {
  it('lists the corners from (0,0) to (1,1)', () => {
    const { far, tar } = rocCurve(scores, same);
    expect(far).toEqual([0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
    expect(tar).toEqual([0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1]);
  });
});

describe('cosine', () => {
  it('ignores scale and is 0 against a zero vector', () => {
    expect(cosine([1, 0], [3, 0])).toBe(1);
    expect(cosine([1, 1], [-2, -2])).toBeCloseTo(-1, 12);
    expect(cosine([1, 2], [0, 0])).toBe(0);
    expect(() => cosine([1], [1, 2])).toThrow(RangeError);
  });
});
