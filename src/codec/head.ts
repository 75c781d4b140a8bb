/**
 * The embedding head (§10.4): gather the codebook vectors of a grid's indices in grid order, then
 * apply the profile's layers (dense, relu, prelu, l2norm). Arithmetic is in binary64 with weights
 * stored as binary32, so results agree with any binary32 implementation to the spec's 1e-4.
 * Scratch space is allocated once per profile; a call allocates only its output.
 *
 * When the first layer is dense, {@link prepareHead} can fold it into the codebooks: for each grid
 * index `n` and codebook entry `i`, the product of that layer's weight columns for `n` with
 * vector `i`. The first layer then costs one sum of `H*W*G` rows instead of `in * out`
 * multiply-adds (a 1024 -> 256 -> 128 head on a 4x4 grid, K = 512: measured 280 -> 43 us per
 * embedding, after 0.8 s to build 8 MiB), for a table of
 * `sum_n K_g(n) * out` floats built once.
 */

import { fail } from './errors.js';
import type { HeadLayer, Profile } from './profile.js';

interface Scratch {
  a: Float64Array;
  b: Float64Array;
  /** The folded first layer (see {@link prepareHead}), or null. */
  folded: Float32Array | null;
  /** Row of entry 0 of grid index `n` in `folded`, in floats. */
  foldedBase: Int32Array | null;
}

const scratchOf = new WeakMap<Profile, Scratch>();

/** Two buffers as wide as the widest activation (the input or any dense output). */
function scratch(profile: Profile): Scratch {
  let s = scratchOf.get(profile);
  if (s === undefined) {
    let width = profile.h * profile.w * profile.planes.reduce((a, p) => a + p.dim, 0);
    for (const l of profile.head.layers) if (l.op === 'dense') width = Math.max(width, l.out);
    s = { a: new Float64Array(width), b: new Float64Array(width), folded: null, foldedBase: null };
    scratchOf.set(profile, s);
  }
  return s;
}

/** Writes the concatenated codebook vectors of `grid` into `x`; returns their count. Fails E_GRID. */
function gather(grid: ArrayLike<number>, profile: Profile, x: Float64Array): number {
  if (grid.length !== profile.gridLength) fail('E_GRID', -1, `length ${grid.length}, expected ${profile.gridLength}`);
  const planes = profile.planes;
  const G = planes.length;
  let p = 0;
  for (let n = 0; n < grid.length; n++) {
    const g = n % G;
    const { k, dim } = planes[g]!;
    const idx = grid[n]!;
    if (!(idx >= 0 && idx < k && Number.isInteger(idx))) fail('E_GRID', -1, `index ${n} = ${idx}, expected 0..${k - 1}`);
    const cb = profile.codebooks[g]!;
    for (let j = 0, o = idx * dim; j < dim; j++) x[p++] = cb[o + j]!;
  }
  return p;
}

/** y[o] = bias[o] + sum_i weight[o*in + i] * x[i] (§10.4 dense). */
function dense(layer: Extract<HeadLayer, { op: 'dense' }>, x: Float64Array, y: Float64Array): void {
  const { in: nIn, out: nOut, weight, bias } = layer;
  for (let o = 0; o < nOut; o++) {
    const base = o * nIn;
    // Four partial sums break the add dependency chain; the order only moves rounding (1e-4 is the contract).
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < nIn; i += 4) {
      s0 += weight[base + i]! * x[i]!;
      s1 += weight[base + i + 1]! * x[i + 1]!;
      s2 += weight[base + i + 2]! * x[i + 2]!;
      s3 += weight[base + i + 3]! * x[i + 3]!;
    }
    for (; i < nIn; i++) s0 += weight[base + i]! * x[i]!;
    y[o] = bias[o]! + (s0 + s1 + s2 + s3);
  }
}

/** Default cap of {@link prepareHead}'s table: 32 MiB. */
const FOLD_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Folds the first dense layer into per-index tables (see the file comment) so that later
 * embeddings of this profile are faster. Call it once per profile on a server; it takes
 * `sum_n K_g(n) * dim_g(n) * out` multiply-adds. Returns false, and changes nothing, when the
 * head does not start with a dense layer or the table would exceed `maxBytes`.
 */
export function prepareHead(profile: Profile, maxBytes = FOLD_MAX_BYTES): boolean {
  const s = scratch(profile);
  if (s.folded !== null) return true;
  const folded = foldFirstDense(profile, maxBytes / 4);
  if (folded === null) return false;
  s.folded = folded.table;
  s.foldedBase = folded.base;
  return true;
}

/** A first dense layer folded into per-index rows (see the file comment). */
export interface FoldedDense {
  /** Row `i` of grid index `n` starts at `base[n] + i * out`; each row holds `out` floats. */
  table: Float32Array;
  base: Int32Array;
  out: number;
}

/**
 * Folds the head's first dense layer into one row of `out` floats per (grid index, codebook
 * entry): `table[base[n] + i*out + o] = sum_j weight[o*in + col(n) + j] * codebook_g(n)[i][j]`.
 * Returns null when the head does not start with a dense layer or the table would exceed
 * `maxFloats`. The service copies it into its SIMD memory; {@link prepareHead} keeps it here.
 */
export function foldFirstDense(profile: Profile, maxFloats: number): FoldedDense | null {
  const first = profile.head.layers[0];
  if (first === undefined || first.op !== 'dense') return null;
  const { planes, gridLength } = profile;
  const G = planes.length;
  const out = first.out;
  let floats = 0;
  for (let n = 0; n < gridLength; n++) floats += planes[n % G]!.k * out;
  if (floats > maxFloats) return null;
  const table = new Float32Array(floats);
  const base = new Int32Array(gridLength);
  const { weight, in: nIn } = first;
  let row = 0;
  let col = 0; // first input of index n
  for (let n = 0; n < gridLength; n++) {
    const { k, dim } = planes[n % G]!;
    const cb = profile.codebooks[n % G]!;
    base[n] = row;
    for (let i = 0; i < k; i++, row += out) {
      for (let o = 0; o < out; o++) {
        let sum = 0;
        const w = o * nIn + col;
        for (let j = 0; j < dim; j++) sum += weight[w + j]! * cb[i * dim + j]!;
        table[row + o] = sum;
      }
    }
    col += dim;
  }
  return { table, base, out };
}

/** The folded first layer: y = bias + the rows of the grid's indices. Fails E_GRID. */
function foldedDense(grid: ArrayLike<number>, profile: Profile, s: Scratch, y: Float64Array): number {
  if (grid.length !== profile.gridLength) fail('E_GRID', -1, `length ${grid.length}, expected ${profile.gridLength}`);
  const layer = profile.head.layers[0] as Extract<HeadLayer, { op: 'dense' }>;
  const { out, bias } = layer;
  const folded = s.folded!, base = s.foldedBase!;
  const planes = profile.planes;
  const G = planes.length;
  for (let o = 0; o < out; o++) y[o] = bias[o]!;
  for (let n = 0; n < grid.length; n++) {
    const idx = grid[n]!;
    const k = planes[n % G]!.k;
    if (!(idx >= 0 && idx < k && Number.isInteger(idx))) fail('E_GRID', -1, `index ${n} = ${idx}, expected 0..${k - 1}`);
    const r = base[n]! + idx * out;
    for (let o = 0; o < out; o++) y[o] = y[o]! + folded[r + o]!;
  }
  return out;
}

/**
 * Computes the embedding of `grid` into `out` (length `profile.head.dim`) and returns `out`.
 * Fails with `E_GRID` on a wrong length or index.
 */
export function embedGridInto(grid: ArrayLike<number>, profile: Profile, out: Float32Array): Float32Array {
  if (out.length !== profile.head.dim) throw new RangeError(`embedGridInto: out must have ${profile.head.dim} elements`);
  const s = scratch(profile);
  let x = s.a, y = s.b;
  const layers = profile.head.layers;
  let start = 0;
  let size: number;
  if (s.folded !== null) {
    size = foldedDense(grid, profile, s, x);
    start = 1;
  } else {
    size = gather(grid, profile, x);
  }
  for (let l = start; l < layers.length; l++) {
    const layer = layers[l]!;
    switch (layer.op) {
      case 'dense':
        dense(layer, x, y);
        [x, y] = [y, x];
        size = layer.out;
        break;
      case 'relu':
        for (let i = 0; i < size; i++) if (x[i]! < 0) x[i] = 0;
        break;
      case 'prelu': {
        const alpha = layer.alpha;
        for (let i = 0; i < size; i++) if (x[i]! < 0) x[i] = alpha[i]! * x[i]!;
        break;
      }
      case 'l2norm': {
        let ss = 0;
        for (let i = 0; i < size; i++) ss += x[i]! * x[i]!;
        const norm = Math.max(Math.sqrt(ss), 1e-12);
        for (let i = 0; i < size; i++) x[i] = x[i]! / norm;
        break;
      }
    }
  }
  for (let i = 0; i < size; i++) out[i] = x[i]!;
  return out;
}

/** The embedding of `grid` under the profile's head (§10.4): `profile.head.dim` floats. */
export function embedGrid(grid: ArrayLike<number>, profile: Profile): Float32Array {
  return embedGridInto(grid, profile, new Float32Array(profile.head.dim));
}

/** Cosine similarity of two embeddings (their dot product when both are l2-normalised, §10.4). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError('cosineSimilarity: lengths differ');
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.max(Math.sqrt(na * nb), 1e-24);
}
