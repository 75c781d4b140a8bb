import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildScanWasm } from './_wasm.js';
import { compileScanModule, jsKernels, wasmKernels } from './kernels.js';
import { EmbeddingMatrix } from './matrix.js';
import { sortHeap, startHeap, topK } from './topk.js';
import { randomUnitVectors, mulberry32 } from './synthetic.js';

const DIM = 128;

describe('scan.wasm', () => {
  it('is the output of buildScanWasm (regenerate: npx tsx src/worker/match/write-scan-wasm.ts)', () => {
    const file = new Uint8Array(readFileSync(new URL('./scan.wasm', import.meta.url)));
    expect(file).toEqual(buildScanWasm());
  });

  it('compiles with SIMD on this runtime', () => {
    expect(compileScanModule()).not.toBeNull();
  });
});

describe('kernels', () => {
  for (const dim of [16, 128, 48]) {
    it(`SIMD and JS agree (dim ${dim})`, () => {
      const n = 37;
      const simd = wasmKernels(compileScanModule()!);
      const js = jsKernels();
      const results: Float32Array[][] = [];
      for (const k of [simd, js]) {
        k.reserve(1 << 16);
        const buf = k.buffer();
        const mat = new Float32Array(buf, 1024, n * dim);
        const i8 = new Int8Array(buf, 1024 + n * dim * 4, n * dim);
        const scales = new Float32Array(buf, 256, n);
        const q = new Float32Array(buf, 0, dim);
        const qi = new Int16Array(buf, 32768, dim);
        const r2 = mulberry32(dim);
        for (let i = 0; i < mat.length; i++) mat[i] = r2() - 0.5;
        for (let i = 0; i < i8.length; i++) i8[i] = Math.floor(r2() * 255) - 127;
        for (let i = 0; i < n; i++) scales[i] = r2();
        for (let i = 0; i < dim; i++) q[i] = r2() - 0.5;
        for (let i = 0; i < dim; i++) qi[i] = Math.floor(r2() * 255) - 127;
        k.f32(buf, 1024, 0, n, dim, 16384);
        const f = new Float32Array(buf, 16384, n).slice();
        k.i8(buf, 1024 + n * dim * 4, 32768, n, dim, 16384, 256);
        results.push([f, new Float32Array(buf, 16384, n).slice()]);
      }
      for (let r = 0; r < n; r++) {
        expect(results[0]![0]![r]).toBeCloseTo(results[1]![0]![r]!, 4);
        expect(results[0]![1]![r]! / results[1]![1]![r]!).toBeCloseTo(1, 5);
      }
    });
  }

  it('SIMD and JS heaps select the same rows, ties to the lower row, for every tail length and k', () => {
    for (const [n, k] of [[1, 1], [3, 2], [4, 4], [5, 1], [5, 0], [8, 3], [37, 5], [1000, 32], [1003, 100]] as const) {
      const rand = mulberry32(n);
      const values = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 20); // many ties
      const expected = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
      for (const kernels of [wasmKernels(compileScanModule()!), jsKernels()]) {
        kernels.reserve(1 << 16);
        const buf = kernels.buffer();
        new Float32Array(buf, 0, n).set(values);
        const [rows, top] = [new Int32Array(buf, 8192, k), new Float32Array(buf, 16384, k)];
        new Int32Array(buf, 8192 + 4 * k, 1)[0] = -7; // a canary right after the heap's rows
        startHeap(new Float32Array(buf, 0, n), rows, top);
        kernels.offer(buf, 0, n, k, 8192, 16384);
        sortHeap(rows, top);
        expect(Array.from(rows)).toEqual(expected);
        expect(new Int32Array(buf, 8192 + 4 * k, 1)[0]).toBe(-7);
      }
    }
  });
});

describe('topK', () => {
  it('matches a full sort', () => {
    const rand = mulberry32(7);
    const scores = Float32Array.from({ length: 5000 }, () => rand());
    const best = topK(scores, scores.length, 10);
    const sorted = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!).slice(0, 10);
    expect(Array.from(best.rows)).toEqual(sorted);
  });

  it('handles k > n and k = 0', () => {
    expect(Array.from(topK(new Float32Array([0.1, 0.3]), 2, 5).rows)).toEqual([1, 0]);
    expect(topK(new Float32Array([0.1]), 1, 0).rows.length).toBe(0);
  });
});

describe('EmbeddingMatrix', () => {
  for (const wasm of [compileScanModule(), null]) {
    it(`finds each row as its own best match across growth and deletes (${wasm ? 'simd' : 'js'})`, () => {
      const m = new EmbeddingMatrix(DIM, { wasm, initialCapacity: 2 });
      const vecs = randomUnitVectors(300, DIM, 1);
      for (let i = 0; i < 300; i++) m.set(`s${i}`, vecs.subarray(i * DIM, (i + 1) * DIM));
      for (let i = 0; i < 300; i += 3) expect(m.delete(`s${i}`)).toBe(true);
      expect(m.delete('s0')).toBe(false);
      expect(m.size).toBe(200);
      for (let i = 1; i < 300; i += 7) {
        const q = vecs.subarray(i * DIM, (i + 1) * DIM);
        for (const precision of ['f32', 'i8'] as const) {
          const [hit] = m.search(q, 3, precision);
          if (i % 3 === 0) expect(hit!.id).not.toBe(`s${i}`);
          else expect(hit).toEqual({ id: `s${i}`, score: expect.closeTo(1, 5) });
        }
        if (i % 3 !== 0) expect(m.score(`s${i}`, q)).toBeCloseTo(1, 5);
      }
    });
  }

  it('returns the best rows of a full scan, ties to the lower row', () => {
    const m = new EmbeddingMatrix(DIM, { wasm: compileScanModule(), initialCapacity: 8 });
    const vecs = randomUnitVectors(500, DIM, 4);
    for (let i = 0; i < 2000; i++) m.set(`s${i}`, vecs.subarray((i % 500) * DIM, (i % 500 + 1) * DIM)); // each vector 4 times
    for (let i = 0; i < 20; i++) {
      const q = vecs.subarray(i * DIM, (i + 1) * DIM);
      const [ids, scores] = m.scanAll(q, 'f32');
      const expected = ids.map((id, row) => ({ id, row, score: scores[row]! })).sort((a, b) => b.score - a.score || a.row - b.row).slice(0, 10);
      expect(m.search(q, 10, 'f32').map((h) => h.id)).toEqual(expected.map((e) => e.id));
    }
  });

  it('replaces a row in place', () => {
    const m = new EmbeddingMatrix(DIM, { wasm: compileScanModule() });
    const [a, b] = [randomUnitVectors(1, DIM, 2), randomUnitVectors(1, DIM, 3)];
    m.set('x', a);
    m.set('x', b);
    expect(m.size).toBe(1);
    expect(m.get('x')).toEqual(b);
  });

  it('rejects vectors of the wrong length', () => {
    const m = new EmbeddingMatrix(DIM);
    expect(() => m.set('x', new Float32Array(3))).toThrow(RangeError);
    expect(() => m.search(new Float32Array(3), 1)).toThrow(RangeError);
  });
});
