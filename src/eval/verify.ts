/**
 * Verification results per method on a list of pairs: the cross-validated accuracy over the pairs'
 * folds, TAR at FAR = 1e-3 over all pairs, ROC AUC and the ROC curve, and wire bytes per face over
 * the distinct images of the pairs.
 */
import type { MethodEmbeddings } from './embed.js';
import { pairScore } from './embed.js';
import { kFoldAccuracy, rocAuc, rocCurve, tarAtFar, type RocCurve } from './metrics.js';
import type { Pair } from './pairs.js';
import { imagesOf } from './pairs.js';

/** The false accept rate of the headline TAR. */
export const HEADLINE_FAR = 1e-3;

/** One method's verification result. */
export interface VerificationResult {
  name: string;
  bytesMean: number;
  bytesMax: number;
  accuracyMean: number;
  accuracyStd: number;
  tarAtFar1e3: number;
  auc: number;
  /** Accuracy of each fold. */
  foldAccuracies: number[];
  /** Impostor pairs allowed to pass at FAR 1e-3 (floor(1e-3 * impostors)). */
  impostorsAllowed: number;
  /** Images this method failed on (scored 0). */
  failures: number;
  roc: RocCurve;
}

/** Bytes per face over `images` (the faces the method embedded). */
export function bytesOf(result: MethodEmbeddings, images: readonly string[]): { mean: number; max: number } {
  let sum = 0, max = 0, n = 0;
  for (const file of images) {
    const e = result.byPath.get(file);
    if (!e) continue;
    sum += e.bytes; n++;
    max = Math.max(max, e.bytes);
  }
  return { mean: n ? sum / n : NaN, max: n ? max : NaN };
}

/** Scores `pairs` with one method's embeddings and runs the protocol. */
export function verify(name: string, result: MethodEmbeddings, pairs: readonly Pair[]): VerificationResult {
  const scores = pairs.map((p) => pairScore(result, p.a, p.b));
  const same = pairs.map((p) => p.same);
  const folds = kFoldAccuracy(scores, same, pairs.map((p) => p.fold));
  const tar = tarAtFar(scores, same, HEADLINE_FAR);
  const images = imagesOf(pairs);
  const bytes = bytesOf(result, images);
  return {
    name,
    bytesMean: bytes.mean,
    bytesMax: bytes.max,
    accuracyMean: folds.mean,
    accuracyStd: folds.std,
    tarAtFar1e3: tar.tar,
    auc: rocAuc(scores, same),
    foldAccuracies: folds.accuracies,
    impostorsAllowed: tar.allowed,
    failures: images.filter((f) => !result.byPath.has(f)).length,
    roc: rocCurve(scores, same),
  };
}
