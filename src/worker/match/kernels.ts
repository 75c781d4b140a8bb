/**
 * Scoring kernels over a contiguous row-major matrix: one dot product per row, written to `out`.
 * Two implementations with one signature: WebAssembly SIMD (`_wasm.ts`, used when the runtime
 * gives us the module and `dim` is a multiple of 16) and plain JS (everything else, and the
 * reference the SIMD kernels are tested against). Offsets are byte offsets into one buffer.
 */
import { buildScanWasm } from './_wasm.js';
import { offerRest } from './topk.js';

/** Scores rows of an f32 matrix: `out[r] = Σ mat[r·dim+i]·q[i]`. All offsets in bytes. */
export type ScoreF32 = (buffer: ArrayBuffer, mat: number, q: number, n: number, dim: number, out: number) => void;
/** Scores rows of an int8 matrix against an int16 query: `out[r] = (Σ mat·q) · scales[r]`. */
export type ScoreI8 = (buffer: ArrayBuffer, mat: number, q: number, n: number, dim: number, out: number, scales: number) => void;

/**
 * Adds f32 rows to `dst` (`length` floats): `dst += Σ_j row_j`, where `rows` holds `count` i32
 * byte addresses of the rows. All offsets in bytes.
 */
export type Accum = (buffer: ArrayBuffer, dst: number, rows: number, count: number, length: number) => void;

/**
 * Offers rows `size..n-1` of an f32 score array to a min-heap of `size` rows (i32 `rows`, f32
 * `top`) that already holds rows `0..size-1`: the hot loop of `topk.ts`'s selection. All offsets
 * in bytes.
 */
export type Offer = (buffer: ArrayBuffer, scores: number, n: number, size: number, rows: number, top: number) => void;

/** A buffer to score in, and the kernels that work on it. */
export interface Kernels {
  /** `'wasm-simd'` or `'js'`. */
  readonly kind: 'wasm-simd' | 'js';
  /** The current buffer (replaced when it grows). */
  buffer(): ArrayBuffer;
  /** Makes the buffer at least `bytes` long, keeping its contents; may replace it. Grows to exactly that (rounded to a page). */
  reserve(bytes: number): void;
  readonly f32: ScoreF32;
  readonly i8: ScoreI8;
  readonly accum: Accum;
  readonly offer: Offer;
}

/** Plain-JS f32 kernel: four accumulators, as fast as scalar V8 gets (measured ~5× slower than SIMD). */
export const scoreF32Js: ScoreF32 = (buffer, mat, q, n, dim, out) => {
  const m = new Float32Array(buffer, mat, n * dim);
  const v = new Float32Array(buffer, q, dim);
  const o = new Float32Array(buffer, out, n);
  const tail = dim & ~3;
  for (let r = 0, base = 0; r < n; r++, base += dim) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i < tail; i += 4) {
      s0 += m[base + i]! * v[i]!;
      s1 += m[base + i + 1]! * v[i + 1]!;
      s2 += m[base + i + 2]! * v[i + 2]!;
      s3 += m[base + i + 3]! * v[i + 3]!;
    }
    for (; i < dim; i++) s0 += m[base + i]! * v[i]!;
    o[r] = s0 + s1 + s2 + s3;
  }
};

/** Plain-JS int8 kernel. */
export const scoreI8Js: ScoreI8 = (buffer, mat, q, n, dim, out, scales) => {
  const m = new Int8Array(buffer, mat, n * dim);
  const v = new Int16Array(buffer, q, dim);
  const o = new Float32Array(buffer, out, n);
  const s = new Float32Array(buffer, scales, n);
  for (let r = 0, base = 0; r < n; r++, base += dim) {
    let acc = 0;
    for (let i = 0; i < dim; i++) acc += m[base + i]! * v[i]!;
    o[r] = acc * s[r]!;
  }
};

/** Plain-JS row accumulation. */
export const accumJs: Accum = (buffer, dst, rows, count, length) => {
  const f = new Float32Array(buffer);
  const addresses = new Int32Array(buffer, rows, count);
  const d = dst >> 2;
  for (let j = 0; j < count; j++) {
    const p = addresses[j]! >> 2;
    for (let o = 0; o < length; o++) f[d + o] = f[d + o]! + f[p + o]!;
  }
};

/** Plain-JS heap offer. */
export const offerJs: Offer = (buffer, scores, n, size, rows, top) =>
  offerRest(new Float32Array(buffer, scores, n), n, new Int32Array(buffer, rows, size), new Float32Array(buffer, top, size));

/** JS kernels over a plain ArrayBuffer that is copied into a bigger one to grow. */
export function jsKernels(): Kernels {
  let buf = new ArrayBuffer(0);
  return {
    kind: 'js',
    buffer: () => buf,
    reserve(bytes) {
      if (bytes <= buf.byteLength) return;
      const next = new ArrayBuffer(bytes); // callers grow geometrically (the matrix doubles its rows)
      new Uint8Array(next).set(new Uint8Array(buf));
      buf = next;
    },
    f32: scoreF32Js,
    i8: scoreI8Js,
    accum: accumJs,
    offer: offerJs,
  };
}

interface ScanExports {
  memory: WebAssembly.Memory;
  f32(mat: number, q: number, n: number, qEnd: number, out: number): void;
  i8(mat: number, q: number, n: number, qEnd: number, out: number, scales: number): void;
  accum(dst: number, rows: number, count: number, dstEnd: number): void;
  heap(scores: number, n: number, size: number, rows: number, top: number): void;
}

const PAGE = 65536;

/**
 * SIMD kernels in their own WebAssembly instance (one per matrix or embedder, each owning its
 * memory). Falls back to JS for a `dim` that is not a multiple of 16 (4 for `accum`).
 */
export function wasmKernels(module: WebAssembly.Module): Kernels {
  const exports = new WebAssembly.Instance(module, {}).exports as unknown as ScanExports;
  const memory = exports.memory;
  return {
    kind: 'wasm-simd',
    buffer: () => memory.buffer,
    reserve(bytes) {
      const have = memory.buffer.byteLength;
      if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
    },
    f32: (buffer, mat, q, n, dim, out) =>
      dim % 16 === 0 ? exports.f32(mat, q, n, q + dim * 4, out) : scoreF32Js(buffer, mat, q, n, dim, out),
    i8: (buffer, mat, q, n, dim, out, scales) =>
      dim % 16 === 0 ? exports.i8(mat, q, n, q + dim * 2, out, scales) : scoreI8Js(buffer, mat, q, n, dim, out, scales),
    accum: (buffer, dst, rows, count, length) =>
      length % 4 === 0 ? exports.accum(dst, rows, count, dst + length * 4) : accumJs(buffer, dst, rows, count, length),
    offer: (_buffer, scores, n, size, rows, top) => exports.heap(scores, n, size, rows, top),
  };
}

let compiled: WebAssembly.Module | null | undefined;

/**
 * The scan module compiled from bytes, or null where the runtime refuses (Workers forbid compiling
 * WebAssembly at run time; they import `scan.wasm` instead) or lacks SIMD.
 */
export function compileScanModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      const bytes = buildScanWasm();
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Kernels for a new matrix: SIMD from `module` when given, else plain JS. */
export function createKernels(module: WebAssembly.Module | null | undefined): Kernels {
  return module ? wasmKernels(module) : jsKernels();
}
