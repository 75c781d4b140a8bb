/**
 * Decision thresholds calibrated on labelled impostor pairs: for each false-accept rate a profile
 * publishes (§10.2 `thresholds`: 1e-2, 1e-3, 1e-4), the cosine above which at most that share of
 * the impostor pairs (two different people) score, and the share of genuine pairs (one person)
 * accepted there.
 *
 * The embeddings come from the shipped path (payload bytes, `decodeGrid`, the profile's head) of
 * faces whose identities never trained the model (the training config's `holdout_identity_mod`).
 * Every pair of those faces counts: n faces give n(n-1)/2 pairs, so a few thousand faces give
 * millions of impostor pairs, enough for the 1e-4 tail. Matching accepts `score >= threshold`
 * (src/worker/routes), so each threshold sits just above the impostor score it must reject.
 */

/** False-accept rates a profile carries thresholds for, with their §10.2 keys. */
export const CALIBRATED_FARS = [[1e-2, 'far1e2'], [1e-3, 'far1e3'], [1e-4, 'far1e4']] as const;

/** A profile's thresholds by §10.2 key. */
export type Thresholds = Readonly<Record<(typeof CALIBRATED_FARS)[number][1], number>>;

/** One calibrated operating point. */
export interface OperatingPoint {
  /** Cosine threshold: accept when score >= threshold. */
  threshold: number;
  /** The impostor share accepted at the threshold, on the calibration pairs. */
  far: number;
  /** A 95% Wilson interval of that share. */
  farInterval95: [number, number];
  /** The genuine share accepted at the threshold (the genuine-accept rate, GAR = TAR). */
  gar: number;
}

/** What {@link calibrate} measured. */
export interface Calibration {
  faces: number;
  identities: number;
  impostorPairs: number;
  genuinePairs: number;
  points: Record<(typeof CALIBRATED_FARS)[number][1], OperatingPoint>;
}

/** The 95% Wilson score interval of k successes in n trials. */
export function wilson95(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1];
  const z = 1.959964, p = k / n, z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt(p * (1 - p) / n + z2n / (4 * n))) / (1 + z2n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Every pair's cosine, split by whether the two faces are one person: impostors descending, genuine ascending. */
interface PairScores {
  impostor: Float32Array;
  genuine: Float32Array;
}

function pairScores(embeddings: Float32Array, identities: ArrayLike<number>, dim: number): PairScores {
  const n = identities.length;
  if (embeddings.length !== n * dim) throw new RangeError(`embeddings: expected ${n * dim} floats, got ${embeddings.length}`);
  let impostorPairs = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (identities[i] !== identities[j]) impostorPairs++;
  const impostor = new Float32Array(impostorPairs);
  const genuine = new Float32Array((n * (n - 1)) / 2 - impostorPairs);
  let a = 0, g = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += embeddings[i * dim + d]! * embeddings[j * dim + d]!;
      if (identities[i] !== identities[j]) impostor[a++] = s;
      else genuine[g++] = s;
    }
  }
  impostor.sort().reverse();
  genuine.sort();
  return { impostor, genuine };
}

/** The impostor and genuine shares accepted at `threshold`. */
function pointAt(scores: PairScores, threshold: number): OperatingPoint {
  const { impostor, genuine } = scores;
  const accepted = countAtLeast(impostor, threshold);
  return {
    threshold,
    far: accepted / impostor.length,
    farInterval95: wilson95(accepted, impostor.length),
    gar: genuine.length === 0 ? NaN : (genuine.length - countBelow(genuine, threshold)) / genuine.length,
  };
}

function summary(scores: PairScores, identities: ArrayLike<number>, points: Calibration['points']): Calibration {
  return {
    faces: identities.length,
    identities: new Set(Array.from(identities)).size,
    impostorPairs: scores.impostor.length,
    genuinePairs: scores.genuine.length,
    points,
  };
}

/**
 * Calibrates on `n` faces: `embeddings` holds n rows of `dim` unit floats, `identities` their
 * people. Throws a RangeError when there are too few impostor pairs to resolve 1e-4 (10,000).
 */
export function calibrate(embeddings: Float32Array, identities: ArrayLike<number>, dim: number): Calibration {
  const scores = pairScores(embeddings, identities, dim);
  const n = scores.impostor.length;
  if (n < 10_000) throw new RangeError(`calibration needs at least 10,000 impostor pairs, got ${n}`);
  const points = {} as Calibration['points'];
  for (const [far, key] of CALIBRATED_FARS) {
    // Just above the first impostor score that must be rejected: floor(far * n) scores stay above it.
    points[key] = pointAt(scores, Math.fround(scores.impostor[Math.floor(far * n)]!) + 1e-6);
  }
  return summary(scores, identities, points);
}

/**
 * The other direction, for checking a calibration on faces it never saw: the impostor and
 * genuine shares each of a profile's `thresholds` accepts on every pair of these faces.
 */
export function measureThresholds(
  embeddings: Float32Array,
  identities: ArrayLike<number>,
  dim: number,
  thresholds: Thresholds,
): Calibration {
  const scores = pairScores(embeddings, identities, dim);
  const points = {} as Calibration['points'];
  for (const [, key] of CALIBRATED_FARS) points[key] = pointAt(scores, thresholds[key]);
  return summary(scores, identities, points);
}

/** How many values of a descending array are >= t (binary search). */
function countAtLeast(descending: Float32Array, t: number): number {
  let lo = 0, hi = descending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (descending[mid]! >= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many values of an ascending array are < t (binary search). */
function countBelow(ascending: Float32Array, t: number): number {
  let lo = 0, hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ascending[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
