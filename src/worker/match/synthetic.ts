/**
 * Seeded synthetic embeddings for tests and benchmarks: unit vectors, and identities with noisy
 * "captures" around them. Not real faces; real payloads come from the SDK (see the e2e tests).
 */

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normalises `v[off..off+dim)` to unit length in place. */
export function normalizeInPlace(v: Float32Array, off = 0, dim = v.length): void {
  let s = 0;
  for (let i = 0; i < dim; i++) s += v[off + i]! * v[off + i]!;
  const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
  for (let i = 0; i < dim; i++) v[off + i] = v[off + i]! * inv;
}

/** `n` random unit vectors of length `dim`, row-major, from Gaussian coordinates. */
export function randomUnitVectors(n: number, dim: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i += 2) {
    // Box-Muller: two Gaussians per pair of uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    out[i] = r * Math.cos(t);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(t);
  }
  for (let row = 0; row < n; row++) normalizeInPlace(out, row * dim, dim);
  return out;
}

/**
 * A capture of an identity: `identity + noise · gaussian`, normalised. With noise 0.5 in 128-D
 * the capture's cosine to its identity is about 0.9, to another identity about 0.
 */
export function noisyCapture(identity: Float32Array, noise: number, seed: number): Float32Array {
  const g = randomUnitVectors(1, identity.length, seed);
  const out = new Float32Array(identity.length);
  for (let i = 0; i < out.length; i++) out[i] = identity[i]! + noise * g[i]!; // g is a unit vector
  normalizeInPlace(out);
  return out;
}
