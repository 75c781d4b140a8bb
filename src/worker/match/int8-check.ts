/**
 * Does int8 lose accuracy? Two measurements over any embeddings (synthetic in the tests, LFW from
 * the lead's evaluation: feed it the head's embeddings of LFW's pairs and people):
 * - verification: cosine of each pair in f32 and in per-row int8, best-threshold accuracy of
 *   each, and how many pairs change side of a fixed threshold;
 * - identification: rank-1 accuracy of probes against a gallery with f32 scans, raw int8 scans,
 *   and the service's int8 path (int8 shortlist rescored in f32).
 */
import { EmbeddingMatrix } from './matrix.js';
import { quantizeRow } from './quantize.js';

/** One verification pair. */
export interface Pair {
  a: Float32Array;
  b: Float32Array;
  same: boolean;
}

/** What int8 does to verification. */
export interface VerificationReport {
  pairs: number;
  maxAbsScoreError: number;
  meanAbsScoreError: number;
  /** Best accuracy over all thresholds, f32 and int8. */
  accuracyF32: number;
  accuracyI8: number;
  /** Pairs whose decision at `threshold` differs between f32 and int8. */
  decisionFlips: number;
  threshold: number;
}

/** Cosine of two unit vectors in int8 (both quantised per row, as the service stores them). */
export function int8Cosine(a: Float32Array, b: Float32Array): number {
  const qa = new Int8Array(a.length), qb = new Int8Array(b.length);
  const sa = quantizeRow(a, qa), sb = quantizeRow(b, qb);
  let s = 0;
  for (let i = 0; i < qa.length; i++) s += qa[i]! * qb[i]!;
  return s * sa * sb;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Best accuracy over every threshold between the scores. */
export function bestAccuracy(scores: readonly number[], same: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, same[i]!] as const).sort((x, y) => x[0] - y[0]);
  let positivesAbove = same.filter(Boolean).length; // threshold below everything: all "same"
  let negativesBelow = 0;
  let best = positivesAbove / scores.length;
  for (const [, isSame] of order) {
    if (isSame) positivesAbove--;
    else negativesBelow++;
    best = Math.max(best, (positivesAbove + negativesBelow) / scores.length);
  }
  return best;
}

/** Verification in f32 against int8; `threshold` is the decision to compare (e.g. the profile's far1e3). */
export function compareInt8Verification(pairs: readonly Pair[], threshold: number): VerificationReport {
  const f32 = pairs.map((p) => dot(p.a, p.b));
  const i8 = pairs.map((p) => int8Cosine(p.a, p.b));
  const errors = f32.map((s, i) => Math.abs(s - i8[i]!));
  const same = pairs.map((p) => p.same);
  return {
    pairs: pairs.length,
    maxAbsScoreError: Math.max(0, ...errors),
    meanAbsScoreError: errors.reduce((s, e) => s + e, 0) / Math.max(1, errors.length),
    accuracyF32: bestAccuracy(f32, same),
    accuracyI8: bestAccuracy(i8, same),
    decisionFlips: f32.filter((s, i) => s >= threshold !== i8[i]! >= threshold).length,
    threshold,
  };
}

/** A labelled embedding. */
export interface Labelled {
  id: string;
  vector: Float32Array;
}

/** What int8 does to identification. */
export interface IdentificationReport {
  probes: number;
  /** Rank-1 accuracy: f32 scan, raw int8 scan, and the service's int8 scan with f32 rescoring. */
  rank1F32: number;
  rank1I8Raw: number;
  rank1I8Rescored: number;
  /** Probes whose top-1 differs between f32 and the service's int8 path. */
  top1Changes: number;
}

/** Rank-1 identification of `probes` (labelled with their true id) in `gallery`. */
export function compareInt8Identification(gallery: readonly Labelled[], probes: readonly Labelled[]): IdentificationReport {
  const dim = gallery[0]?.vector.length ?? 0;
  const m = new EmbeddingMatrix(dim, { initialCapacity: gallery.length });
  for (const g of gallery) m.set(g.id, g.vector);
  let f32 = 0, raw = 0, rescored = 0, changes = 0;
  for (const p of probes) {
    const best = m.search(p.vector, 1, 'f32')[0]?.id;
    const viaI8 = m.search(p.vector, 1, 'i8')[0]?.id;
    const [ids, scores] = m.scanAll(p.vector, 'i8');
    let top = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[top]!) top = i;
    if (best === p.id) f32++;
    if (viaI8 === p.id) rescored++;
    if (ids[top] === p.id) raw++;
    if (best !== viaI8) changes++;
  }
  const n = Math.max(1, probes.length);
  return { probes: probes.length, rank1F32: f32 / n, rank1I8Raw: raw / n, rank1I8Rescored: rescored / n, top1Changes: changes };
}
