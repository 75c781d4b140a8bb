/**
 * Top-k selection over a score array with a bounded min-heap: O(n log k), no allocation per row.
 * The heap's root is the weakest of the k best so far; a row enters only when it beats the root.
 */

/** The k best rows, best first. */
export interface TopK {
  rows: Int32Array;
  scores: Float32Array;
}

/**
 * The `k` highest of `scores[0..n)`, best first; ties keep the lower row first.
 * @example topK(new Float32Array([0.1, 0.9, 0.5]), 3, 2) // rows [1, 2]
 */
export function topK(scores: Float32Array, n: number, k: number): TopK {
  const size = Math.min(k, n);
  const heapRows = new Int32Array(size);
  const heapScores = new Float32Array(size);
  for (let r = 0; r < size; r++) siftUp(heapRows, heapScores, r, r, scores[r]!);
  // The hot loop: one load and one compare per row while the root (the k-th best) holds.
  let floor = size > 0 ? heapScores[0]! : Infinity;
  for (let r = size; r < n; r++) {
    const s = scores[r]!;
    if (s > floor) {
      siftDown(heapRows, heapScores, size, r, s);
      floor = heapScores[0]!;
    }
  }
  // Sort best first (k is small): by score descending, then row ascending.
  const order = Array.from({ length: size }, (_, i) => i).sort(
    (a, b) => heapScores[b]! - heapScores[a]! || heapRows[a]! - heapRows[b]!,
  );
  return {
    rows: Int32Array.from(order, (i) => heapRows[i]!),
    scores: Float32Array.from(order, (i) => heapScores[i]!),
  };
}

/** Inserts (row, score) at slot `i` and restores the heap upwards. */
function siftUp(rows: Int32Array, scores: Float32Array, i: number, row: number, score: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (scores[parent]! <= score) break;
    rows[i] = rows[parent]!;
    scores[i] = scores[parent]!;
    i = parent;
  }
  rows[i] = row;
  scores[i] = score;
}

/** Replaces the root with (row, score) and restores the heap downwards. */
function siftDown(rows: Int32Array, scores: Float32Array, size: number, row: number, score: number): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && scores[child + 1]! < scores[child]!) child++;
    if (scores[child]! >= score) break;
    rows[i] = rows[child]!;
    scores[i] = scores[child]!;
    i = child;
  }
  rows[i] = row;
  scores[i] = score;
}
