import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../worker/match/synthetic.js';
import { calibrate, measureThresholds, wilson95 } from './calibrate.js';

/** n faces of `people` identities: unit vectors near a per-person centre (noise `spread`). */
function faces(people: number, each: number, dim: number, spread: number, seed: number) {
  const rand = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: people }, () => Float64Array.from({ length: dim }, gauss));
  const emb = new Float32Array(people * each * dim), ids: number[] = [];
  for (let p = 0, r = 0; p < people; p++) {
    for (let e = 0; e < each; e++, r++) {
      const v = Array.from({ length: dim }, (_, d) => centres[p]![d]! + spread * gauss());
      const norm = Math.hypot(...v);
      v.forEach((x, d) => { emb[r * dim + d] = x / norm; });
      ids.push(p);
    }
  }
  return { emb, ids };
}

describe('calibrate', () => {
  const { emb, ids } = faces(200, 5, 16, 0.8, 1);
  const result = calibrate(emb, ids, 16);

  it('counts every pair once', () => {
    expect(result.impostorPairs + result.genuinePairs).toBe((1000 * 999) / 2);
    expect(result.genuinePairs).toBe(200 * 10);
    expect([result.faces, result.identities]).toEqual([1000, 200]);
  });

  it('puts each threshold where at most that share of impostors passes', () => {
    for (const [far, key] of [[1e-2, 'far1e2'], [1e-3, 'far1e3'], [1e-4, 'far1e4']] as const) {
      const p = result.points[key];
      expect(p.far).toBeLessThanOrEqual(far);
      expect(p.far).toBeGreaterThan(far * 0.9); // no needless margin: the next impostor is the one rejected
      let above = 0;
      for (let i = 0; i < 1000; i++) for (let j = i + 1; j < 1000; j++) {
        if (ids[i] === ids[j]) continue;
        let s = 0;
        for (let d = 0; d < 16; d++) s += emb[i * 16 + d]! * emb[j * 16 + d]!;
        if (s >= p.threshold) above++;
      }
      expect(above / result.impostorPairs).toBe(p.far);
      expect(p.farInterval95[0]).toBeLessThanOrEqual(p.far);
      expect(p.farInterval95[1]).toBeGreaterThanOrEqual(p.far);
    }
    // Stricter rates need higher thresholds and accept fewer genuine pairs.
    expect(result.points.far1e4.threshold).toBeGreaterThan(result.points.far1e3.threshold);
    expect(result.points.far1e3.gar).toBeGreaterThanOrEqual(result.points.far1e4.gar);
    expect(result.points.far1e2.gar).toBeGreaterThan(0.5);
  });

  it('measures given thresholds as calibrate measured its own, on the same faces', () => {
    const t = result.points;
    const measured = measureThresholds(emb, ids, 16, { far1e2: t.far1e2.threshold, far1e3: t.far1e3.threshold, far1e4: t.far1e4.threshold });
    expect(measured).toEqual(result);
    // On other faces of the same distribution the rates move, but not by much.
    const other = faces(200, 5, 16, 0.8, 3);
    const elsewhere = measureThresholds(other.emb, other.ids, 16, { far1e2: t.far1e2.threshold, far1e3: t.far1e3.threshold, far1e4: t.far1e4.threshold });
    expect(elsewhere.points.far1e2.far).toBeGreaterThan(0.005);
    expect(elsewhere.points.far1e2.far).toBeLessThan(0.02);
  });

  it('refuses too few impostor pairs to resolve 1e-4', () => {
    const small = faces(20, 3, 8, 0.5, 2);
    expect(() => calibrate(small.emb, small.ids, 8)).toThrow(RangeError);
  });

  it('gives the Wilson interval', () => {
    const [lo, hi] = wilson95(10, 1000);
    expect(lo).toBeCloseTo(0.00544, 4);
    expect(hi).toBeCloseTo(0.01828, 4);
  });
});
