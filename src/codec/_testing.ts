/**
 * Seeded synthetic profiles and grids for tests, vectors, the fuzzer and the benchmark. Not part of
 * the public API. Everything here is a pure function of its seed.
 */

import { FacevqError } from './errors.js';
import { fitFrequencies, symbolAt } from './_freq.js';
import { readProfile, writeProfile, type HeadLayer, type Profile, type ProfileInput } from './profile.js';

/** A seeded generator (mulberry32): `next()` in [0, 1), `int(n)` in [0, n). */
export interface Rng {
  next(): number;
  int(n: number): number;
}

/** A mulberry32 generator: 32-bit state, period 2^32, good enough for tests. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** A Zipf-like table (`p(rank r) ~ 1 / (r + 1)^s`) over a seeded random order of the `k` symbols. */
export function zipfFrequencies(k: number, s: number, rng: Rng): Uint16Array {
  const order = Array.from({ length: k }, (_, i) => i);
  for (let i = k - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const weights = new Float64Array(k);
  for (let r = 0; r < k; r++) weights[order[r]!] = 1 / (r + 1) ** s;
  return fitFrequencies(weights);
}

/** Options of {@link makeTestProfile}. */
export interface TestProfileOptions {
  /** Profile id, 0..15. @default 0 */
  id?: number;
  /** @default `test-${id}` */
  name?: string;
  /** @default 4 */
  h?: number;
  /** @default 4 */
  w?: number;
  /** Codebook size per plane; a number means one plane. @default 16 */
  k?: number | readonly number[];
  /** Vector length per plane; a number applies to every plane. @default 4 */
  dim?: number | readonly number[];
  /** @default 1 */
  seed?: number;
  /** Add one context table per grid index (mode 2). @default false */
  context?: boolean;
  /** @default min(1024, 3 + B0 + 32) */
  maxBytes?: number;
  /** Zipf exponent of the prior. @default 1.1 */
  zipf?: number;
  /** Width of the head's output. @default 8 */
  headDim?: number;
}

/** A synthetic profile: the parsed {@link Profile}, its file bytes and the input that made it. */
export interface TestProfile {
  profile: Profile;
  bytes: Uint8Array;
  input: ProfileInput;
}

/**
 * Builds a small seeded profile with {@link writeProfile}: a skewed (Zipf-like) prior per plane,
 * optional per-index context tables, random codebooks and a tiny head
 * (dense, relu, dense, prelu, l2norm).
 */
export function makeTestProfile(opts: TestProfileOptions = {}): TestProfile {
  const id = opts.id ?? 0;
  const h = opts.h ?? 4, w = opts.w ?? 4;
  const k = typeof opts.k === 'number' || opts.k === undefined ? [opts.k ?? 16] : [...opts.k];
  const G = k.length;
  const dim = typeof opts.dim === 'number' || opts.dim === undefined ? k.map(() => (opts.dim as number | undefined) ?? 4) : [...opts.dim];
  const rng = makeRng(opts.seed ?? 1);
  const zipf = opts.zipf ?? 1.1;
  const n = h * w * G;
  const bits = k.reduce((a, kg) => a + (32 - Math.clz32(kg - 1)), 0);
  const b0 = Math.ceil((h * w * bits) / 8);
  const normal = () => (rng.next() + rng.next() + rng.next() - 1.5) * 2;
  const codebooks = k.map((kg, g) => Float32Array.from({ length: kg * dim[g]! }, normal));
  const prior = k.map((kg) => zipfFrequencies(kg, zipf, rng));
  const context = opts.context
    ? {
        tables: Array.from({ length: n }, (_, i) => zipfFrequencies(k[i % G]!, zipf, rng)),
        plane: Array.from({ length: n }, (_, i) => i % G),
        map: Array.from({ length: n }, (_, i) => i),
      }
    : undefined;
  const inSize = h * w * dim.reduce((a, d) => a + d, 0);
  const hidden = 16, headDim = opts.headDim ?? 8;
  const layers: HeadLayer[] = [
    { op: 'dense', in: inSize, out: hidden, weight: Float32Array.from({ length: inSize * hidden }, () => normal() / Math.sqrt(inSize)), bias: Float32Array.from({ length: hidden }, normal) },
    { op: 'relu' },
    { op: 'dense', in: hidden, out: headDim, weight: Float32Array.from({ length: hidden * headDim }, () => normal() / 4), bias: Float32Array.from({ length: headDim }, normal) },
    { op: 'prelu', alpha: Float32Array.from({ length: headDim }, () => 0.25) },
    { op: 'l2norm' },
  ];
  const input: ProfileInput = {
    id,
    name: opts.name ?? `test-${id}`,
    h,
    w,
    k,
    dim,
    maxBytes: opts.maxBytes ?? Math.min(1024, 3 + b0 + 32),
    codebooks,
    prior,
    ...(context && { context }),
    head: { dim: headDim, layers },
    thresholds: { far1e2: 0.3, far1e3: 0.4, far1e4: 0.5 },
    crop: { size: 64, channels: 3, template: [0.34, 0.46, 0.66, 0.46, 0.5, 0.64, 0.37, 0.82, 0.63, 0.82] },
    meta: { synthetic: true, seed: opts.seed ?? 1 },
  };
  const bytes = writeProfile(input);
  return { profile: readProfile(bytes), bytes, input };
}

/** A grid drawn index by index from the profile's prior (mode 1) or context tables (mode 2). */
export function sampleGrid(profile: Profile, rng: Rng, mode: 1 | 2 = 1): Uint16Array {
  const G = profile.planes.length;
  const grid = new Uint16Array(profile.gridLength);
  for (let n = 0; n < grid.length; n++) {
    const table = mode === 2 && profile.context ? profile.context.tables[profile.context.map[n]!]! : profile.prior[n % G]!;
    grid[n] = symbolAt(table, rng.int(32768));
  }
  return grid;
}

/** A grid of uniform random indices. */
export function uniformGrid(profile: Profile, rng: Rng): Uint16Array {
  const G = profile.planes.length;
  return Uint16Array.from({ length: profile.gridLength }, (_, n) => rng.int(profile.planes[n % G]!.k));
}

/** Runs `f`: `'ok'` when it returns, the code when it throws a {@link FacevqError}; rethrows anything else. */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof FacevqError) return e.code;
    throw e;
  }
  return 'ok';
}
