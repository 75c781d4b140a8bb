/**
 * One gallery's templates as a contiguous matrix: row r is subject `ids[r]`'s L2-normalised
 * template, in f32 and (optionally) in int8 with a per-row scale. Rows are added at the end and
 * removed by moving the last row into the gap, so the matrix never has holes and a scan is one
 * pass over `n · dim` values.
 *
 * Layout of the kernels' buffer (byte offsets, every region 16-byte aligned):
 *
 *     [query f32: dim] [query i16: dim] [scores f32: cap] [scales f32: cap] [heap rows i32: cap] [heap scores f32: cap]
 *     [f32: cap·dim] [i8: cap·dim]
 *
 * Growing the capacity moves the later regions right, last region first, so no copy overwrites
 * bytes that have not moved yet.
 */
import { createKernels, type Kernels } from './kernels.js';
import { quantizeRow } from './quantize.js';
import { sortHeap, startHeap, topK, type TopK } from './topk.js';

/**
 * A scan's precision. `i8` scans the int8 copy, then rescores its shortlist exactly in f32;
 * `auto` is `i8` from {@link AUTO_I8_ROWS} rows up (where the scan dominates: measured ~1.4× faster
 * at 4096 rows, 1.8× at 10k, 4× at 100k) and `f32` below (at 1000 rows rescoring costs more than
 * it saves).
 */
export type Precision = 'f32' | 'i8' | 'auto';

/** Rows from which `auto` scans int8. */
export const AUTO_I8_ROWS = 4096;

/** One search hit. */
export interface Hit {
  id: string;
  /** Cosine similarity in [-1, 1] (exact f32, also for `i8` scans). */
  score: number;
}

/** Options for {@link EmbeddingMatrix}. */
export interface MatrixOptions {
  /** The compiled `scan.wasm` for SIMD scans; plain JS when absent. */
  wasm?: WebAssembly.Module | null;
  /** Keep the int8 copy for `i8` scans. @default true */
  int8?: boolean;
  /** Rows to reserve up front. @default 64 */
  initialCapacity?: number;
}

const align16 = (n: number): number => (n + 15) & ~15;

interface Layout {
  qf: number;
  qi: number;
  scores: number;
  scales: number;
  /** The heap of a top-k selection (scratch). */
  heapRows: number;
  heapTop: number;
  f32: number;
  i8: number;
  end: number;
}

function layout(dim: number, cap: number, int8: boolean): Layout {
  const qf = 0;
  const qi = align16(qf + dim * 4);
  const scores = align16(qi + dim * 2);
  const scales = align16(scores + cap * 4);
  const heapRows = align16(scales + cap * 4);
  const heapTop = align16(heapRows + cap * 4);
  const f32 = align16(heapTop + cap * 4);
  const i8 = align16(f32 + cap * dim * 4);
  return { qf, qi, scores, scales, heapRows, heapTop, f32, i8, end: i8 + (int8 ? cap * dim : 0) };
}

/** Σ rows[base + i] · query[i] for i < dim. */
function dot(rows: Float32Array, base: number, query: ArrayLike<number>, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += rows[base + i]! * query[i]!;
  return s;
}

/** Shortlist size for an int8 scan before exact rescoring. */
export function shortlistSize(k: number): number {
  return Math.max(4 * k, 32);
}

/** A growable matrix of unit vectors keyed by subject id, with top-k search. */
export class EmbeddingMatrix {
  readonly dim: number;
  readonly int8: boolean;
  private readonly kernels: Kernels;
  private readonly ids: string[] = [];
  private readonly rowOf = new Map<string, number>();
  private cap = 0;
  private at: Layout;

  constructor(dim: number, options: MatrixOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    this.dim = dim;
    this.int8 = options.int8 ?? true;
    this.kernels = createKernels(options.wasm);
    this.at = layout(dim, 0, this.int8);
    this.grow(Math.max(1, options.initialCapacity ?? 64));
  }

  /** Number of rows. */
  get size(): number {
    return this.ids.length;
  }

  /** `'wasm-simd'` or `'js'`: which kernels scan this matrix. */
  get kernelKind(): Kernels['kind'] {
    return this.kernels.kind;
  }

  /** True when `id` has a row. */
  has(id: string): boolean {
    return this.rowOf.has(id);
  }

  /** Sets `id`'s row to `vector` (length `dim`, expected L2-normalised), adding it if new. */
  set(id: string, vector: ArrayLike<number>): void {
    if (vector.length !== this.dim) throw new RangeError(`vector has ${vector.length} values, expected ${this.dim}`);
    let row = this.rowOf.get(id);
    if (row === undefined) {
      if (this.ids.length === this.cap) this.grow(this.cap * 2);
      row = this.ids.length;
      this.ids.push(id);
      this.rowOf.set(id, row);
    }
    this.writeRow(row, vector);
  }

  /** Removes `id`'s row; the last row moves into its place. False when absent. */
  delete(id: string): boolean {
    const row = this.rowOf.get(id);
    if (row === undefined) return false;
    const last = this.ids.length - 1;
    if (row !== last) {
      const lastId = this.ids[last]!;
      this.copyRow(last, row);
      this.ids[row] = lastId;
      this.rowOf.set(lastId, row);
    }
    this.ids.pop();
    this.rowOf.delete(id);
    this.zeroRow(last);
    return true;
  }

  /** A copy of `id`'s f32 row, or undefined. */
  get(id: string): Float32Array | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : new Float32Array(this.kernels.buffer(), this.at.f32 + row * this.dim * 4, this.dim).slice();
  }

  /** Exact cosine of `query` with `id`'s row, or undefined when absent. */
  score(id: string, query: ArrayLike<number>): number | undefined {
    const row = this.rowOf.get(id);
    return row === undefined ? undefined : dot(new Float32Array(this.kernels.buffer(), this.at.f32, this.cap * this.dim), row * this.dim, query, this.dim);
  }

  /** The `k` rows most similar to `query` (length `dim`), best first. */
  search(query: ArrayLike<number>, k: number, precision: Precision = 'f32'): Hit[] {
    if (query.length !== this.dim) throw new RangeError(`query has ${query.length} values, expected ${this.dim}`);
    const n = this.ids.length;
    if (n === 0 || k < 1) return [];
    const buffer = this.kernels.buffer();
    const { at, dim } = this;
    new Float32Array(buffer, at.qf, dim).set(query);
    if ((precision === 'i8' || (precision === 'auto' && n >= AUTO_I8_ROWS)) && this.int8) {
      quantizeRow(query, new Int16Array(buffer, at.qi, dim)); // its scale does not change the ranking
      this.kernels.i8(buffer, at.i8, at.qi, n, dim, at.scores, at.scales);
      // Rescore the shortlist exactly, so reported scores never carry quantisation error. In row
      // order, so that exact ties keep the lower row first as in an f32 scan.
      const short = this.best(n, shortlistSize(k)).rows.sort();
      for (let j = 0; j < short.length; j++) this.kernels.f32(buffer, at.f32 + short[j]! * dim * 4, at.qf, 1, dim, at.scores + j * 4);
      const best = topK(new Float32Array(buffer, at.scores, short.length), short.length, k);
      return Array.from(best.rows, (j, i) => ({ id: this.ids[short[j]!]!, score: best.scores[i]! }));
    }
    this.kernels.f32(buffer, at.f32, at.qf, n, dim, at.scores);
    const best = this.best(n, k);
    return Array.from(best.rows, (row, i) => ({ id: this.ids[row]!, score: best.scores[i]! }));
  }

  /**
   * The `k` best of the first `n` scores, as {@link topK}, with its loop over every row in the
   * `heap` kernel: ~5 µs for 32 of 10k rows, where the same loop in JS took 20 to 55 µs depending
   * on how V8 had compiled it (which varied with the sizes `topK` had seen).
   */
  private best(n: number, k: number): TopK {
    const buffer = this.kernels.buffer();
    const { at } = this;
    const size = k < n ? k : n;
    const rows = new Int32Array(buffer, at.heapRows, size);
    const top = new Float32Array(buffer, at.heapTop, size);
    startHeap(new Float32Array(buffer, at.scores, n), rows, top);
    this.kernels.offer(buffer, at.scores, n, size, at.heapRows, at.heapTop);
    sortHeap(rows, top);
    return { rows: rows.slice(), scores: top.slice() };
  }

  /**
   * Scores of every row against `query` at `precision`, in row order, without rescoring; for
   * measuring what int8 costs (`int8-check.ts`). Returns [ids, scores].
   */
  scanAll(query: ArrayLike<number>, precision: 'f32' | 'i8'): [readonly string[], Float32Array] {
    const n = this.ids.length;
    const buffer = this.kernels.buffer();
    const { at, dim } = this;
    new Float32Array(buffer, at.qf, dim).set(query);
    if (precision === 'i8' && this.int8) {
      const qScale = quantizeRow(query, new Int16Array(buffer, at.qi, dim));
      this.kernels.i8(buffer, at.i8, at.qi, n, dim, at.scores, at.scales);
      const out = new Float32Array(buffer, at.scores, n).slice();
      for (let i = 0; i < n; i++) out[i] = out[i]! * qScale;
      return [this.ids.slice(), out];
    }
    this.kernels.f32(buffer, at.f32, at.qf, n, dim, at.scores);
    return [this.ids.slice(), new Float32Array(buffer, at.scores, n).slice()];
  }

  private writeRow(row: number, vector: ArrayLike<number>): void {
    const buffer = this.kernels.buffer();
    const { at, dim } = this;
    new Float32Array(buffer, at.f32 + row * dim * 4, dim).set(vector);
    if (this.int8) {
      new Float32Array(buffer, at.scales, this.cap)[row] = quantizeRow(vector, new Int8Array(buffer, at.i8 + row * dim, dim));
    }
  }

  private copyRow(from: number, to: number): void {
    const bytes = new Uint8Array(this.kernels.buffer());
    const { at, dim } = this;
    bytes.copyWithin(at.f32 + to * dim * 4, at.f32 + from * dim * 4, at.f32 + (from + 1) * dim * 4);
    if (this.int8) {
      bytes.copyWithin(at.i8 + to * dim, at.i8 + from * dim, at.i8 + (from + 1) * dim);
      bytes.copyWithin(at.scales + to * 4, at.scales + from * 4, at.scales + from * 4 + 4);
    }
  }

  private zeroRow(row: number): void {
    const bytes = new Uint8Array(this.kernels.buffer());
    const { at, dim } = this;
    bytes.fill(0, at.f32 + row * dim * 4, at.f32 + (row + 1) * dim * 4);
    if (this.int8) bytes.fill(0, at.i8 + row * dim, at.i8 + (row + 1) * dim);
  }

  /** Raises the capacity to `cap` rows, moving regions right (last first). */
  private grow(cap: number): void {
    const old = this.at;
    const next = layout(this.dim, cap, this.int8);
    this.kernels.reserve(next.end);
    const bytes = new Uint8Array(this.kernels.buffer());
    const used = this.ids.length;
    if (this.int8) bytes.copyWithin(next.i8, old.i8, old.i8 + used * this.dim);
    bytes.copyWithin(next.f32, old.f32, old.f32 + used * this.dim * 4);
    bytes.copyWithin(next.scales, old.scales, old.scales + used * 4);
    this.at = next;
    this.cap = cap;
  }
}
