/**
 * Verification metrics over similarity scores (higher = more alike; a pair is called "same" when
 * its score is >= the threshold):
 *
 * - {@link kFoldAccuracy}: the LFW protocol. For each fold, the threshold that maximises accuracy
 *   on the other folds is applied to the held-out fold; mean and standard deviation of the fold
 *   accuracies. The standard deviation is the sample one (divide by folds - 1), as in the LFW
 *   technical report (Huang et al. 2007, §"View 2": sigma = sqrt(sum (p_i - mu)^2 / 9)).
 * - {@link tarAtFar}: the share of genuine pairs accepted at the lowest threshold whose false
 *   accept rate over the impostor pairs is at most the target, over all pairs (no folds).
 * - {@link rocAuc}: the area under the ROC curve, the probability that a genuine pair outscores an
 *   impostor pair, ties counted one half (Mann-Whitney U / (P*N)).
 * - {@link rocCurve}: the ROC's corner points, for plotting.
 */

/** Cosine similarity of two vectors (0 when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosine: lengths ${a.length} and ${b.length} differ`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    dot += x * y; na += x * x; nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Share of pairs classified correctly at `threshold`. */
export function accuracyAt(scores: ArrayLike<number>, same: ArrayLike<boolean>, threshold: number): number {
  let correct = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i]! >= threshold) === same[i]) correct++;
  return scores.length > 0 ? correct / scores.length : NaN;
}

/** Indices of `scores` sorted by ascending score (stable). */
function ascending(scores: ArrayLike<number>): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((p, q) => scores[p]! - scores[q]! || p - q);
}

/**
 * The threshold with the best accuracy on these pairs. Candidates are one below the lowest score,
 * the midpoints between consecutive distinct scores and one above the highest; ties go to the
 * lowest candidate.
 */
export function bestThreshold(scores: ArrayLike<number>, same: ArrayLike<boolean>): { threshold: number; accuracy: number } {
  const n = scores.length;
  if (n === 0) throw new RangeError('bestThreshold: no pairs');
  const order = ascending(scores);
  let correct = 0; // threshold below everything: all called "same"
  for (let i = 0; i < n; i++) if (same[i]) correct++;
  let best = correct, threshold = scores[order[0]!]! - 1;
  for (let i = 0; i < n;) {
    const value = scores[order[i]!]!;
    // Moving the threshold past every pair scoring `value` calls them "different".
    for (; i < n && scores[order[i]!] === value; i++) correct += same[order[i]!] ? -1 : 1;
    if (correct > best) {
      best = correct;
      threshold = i < n ? (value + scores[order[i]!]!) / 2 : value + 1;
    }
  }
  return { threshold, accuracy: best / n };
}

/** The result of {@link kFoldAccuracy}. */
export interface KFoldResult {
  /** Accuracy on each held-out fold, in fold order. */
  accuracies: number[];
  /** The threshold chosen for each fold (on the other folds). */
  thresholds: number[];
  mean: number;
  /** Sample standard deviation over folds (0 for a single fold). */
  std: number;
}

/** The cross-validated accuracy: each fold scored at the best threshold of the other folds. */
export function kFoldAccuracy(scores: ArrayLike<number>, same: ArrayLike<boolean>, fold: ArrayLike<number>): KFoldResult {
  const folds = [...new Set(Array.from(fold))].sort((p, q) => p - q);
  if (folds.length < 2) throw new RangeError('kFoldAccuracy: needs at least two folds');
  const accuracies: number[] = [], thresholds: number[] = [];
  for (const k of folds) {
    const trainScores: number[] = [], trainSame: boolean[] = [], testScores: number[] = [], testSame: boolean[] = [];
    for (let i = 0; i < scores.length; i++) {
      if (fold[i] === k) { testScores.push(scores[i]!); testSame.push(same[i]!); } else { trainScores.push(scores[i]!); trainSame.push(same[i]!); }
    }
    const { threshold } = bestThreshold(trainScores, trainSame);
    thresholds.push(threshold);
    accuracies.push(accuracyAt(testScores, testSame, threshold));
  }
  const { mean, std } = meanStd(accuracies);
  return { accuracies, thresholds, mean, std };
}

/** Mean and sample standard deviation (n - 1; 0 for one value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** The result of {@link tarAtFar}. */
export interface TarAtFar {
  /** Share of genuine pairs accepted. */
  tar: number;
  /** False accept rate actually reached (at most the target). */
  far: number;
  /** Accept when score > threshold (strictly). */
  threshold: number;
  /** Impostor pairs allowed to pass: floor(target * impostors). */
  allowed: number;
}

/**
 * TAR at a target FAR over all pairs. With N impostor pairs, at most `floor(far * N)` may be
 * accepted; the threshold is the impostor score just below those (accept when strictly above it),
 * so ties never let in more impostors than allowed. With fewer than `1 / far` impostors no impostor
 * may pass and the threshold is the highest impostor score.
 */
export function tarAtFar(scores: ArrayLike<number>, same: ArrayLike<boolean>, far: number): TarAtFar {
  const impostors: number[] = [], genuine: number[] = [];
  for (let i = 0; i < scores.length; i++) (same[i] ? genuine : impostors).push(scores[i]!);
  if (impostors.length === 0 || genuine.length === 0) throw new RangeError('tarAtFar: needs genuine and impostor pairs');
  impostors.sort((p, q) => q - p);
  const allowed = Math.floor(far * impostors.length + 1e-9);
  const threshold = allowed < impostors.length ? impostors[allowed]! : -Infinity;
  const accepted = impostors.filter((s) => s > threshold).length;
  const tar = genuine.filter((s) => s > threshold).length / genuine.length;
  return { tar, far: accepted / impostors.length, threshold, allowed };
}

/** ROC AUC: P(genuine score > impostor score) + 0.5 P(equal), by ranks (Mann-Whitney). */
export function rocAuc(scores: ArrayLike<number>, same: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = ascending(scores);
  let rankSum = 0, positives = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && scores[order[j]!] === scores[order[i]!]) j++;
    const rank = (i + 1 + j) / 2; // mean of the 1-based ranks i+1..j
    for (let k = i; k < j; k++) if (same[order[k]!]) { rankSum += rank; positives++; }
    i = j;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('rocAuc: needs genuine and impostor pairs');
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** ROC corner points from the strictest threshold down: far[0] = tar[0] = 0, last = (1, 1). */
export interface RocCurve {
  far: number[];
  tar: number[];
}

/** The ROC curve: one point per distinct score (accept when score >= it), from (0,0) to (1,1). */
export function rocCurve(scores: ArrayLike<number>, same: ArrayLike<boolean>): RocCurve {
  const order = ascending(scores).reverse();
  let positives = 0;
  for (let i = 0; i < scores.length; i++) if (same[i]) positives++;
  const negatives = scores.length - positives;
  const far = [0], tar = [0];
  let tp = 0, fp = 0;
  for (let i = 0; i < order.length;) {
    const value = scores[order[i]!];
    for (; i < order.length && scores[order[i]!] === value; i++) same[order[i]!] ? tp++ : fp++;
    far.push(negatives ? fp / negatives : 0);
    tar.push(positives ? tp / positives : 0);
  }
  return { far, tar };
}
