/**
 * Top-k selection over a score array with a bounded min-heap: O(n log k), no allocation per row.
 * The heap's root is the weakest of the k best so far; a row enters only when it beats the root.
 * "Weaker" is a total order: the lower score, or on equal scores the higher row, so ties keep
 * the lower row whatever the order of arrival.
 *
 * The three steps are exported for `matrix.ts`, which runs the middle one, the loop over every
 * row, as the SIMD `heap` kernel (`kernels.ts`): the same heap, in the kernels' memory.
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
  const size = k < n ? k : n;
  const rows = new Int32Array(size);
  const top = new Float32Array(size);
  startHeap(scores, rows, top);
  offerRest(scores, n, rows, top);
  sortHeap(rows, top);
  return { rows, scores: top };
}

/** Makes a heap of rows `0..size-1` in `rows` and `top` (both of length `size`). */
export function startHeap(scores: Float32Array, rows: Int32Array, top: Float32Array): void {
  for (let r = 0; r < rows.length; r++) siftUp(rows, top, r, r, scores[r]!);
}

/** Offers rows `size..n-1` to the heap started by {@link startHeap}. */
export function offerRest(scores: Float32Array, n: number, rows: Int32Array, top: Float32Array): void {
  // The hot loop: one load and one compare per row while the root (the k-th best) holds. A new
  // row has a higher index than every row in the heap, so on a tie with the root it is weaker.
  const size = rows.length;
  let floor = size > 0 ? top[0]! : Infinity;
  for (let r = size; r < n; r++) {
    const s = scores[r]!;
    if (s > floor) {
      siftDown(rows, top, size, r, s);
      floor = top[0]!;
    }
  }
}

/** Orders a heap best first, in place (heapsort: each root, the weakest left, goes to the end). */
export function sortHeap(rows: Int32Array, top: Float32Array): void {
  for (let end = rows.length - 1; end > 0; end--) {
    const row = rows[end]!;
    const score = top[end]!;
    rows[end] = rows[0]!;
    top[end] = top[0]!;
    siftDown(rows, top, end, row, score);
  }
}

/** True when (s1, r1) ranks below (s2, r2). */
const weaker = (s1: number, r1: number, s2: number, r2: number): boolean => s1 < s2 || (s1 === s2 && r1 > r2);

/** Inserts (row, score) at slot `i` and restores the heap upwards. */
function siftUp(rows: Int32Array, top: Float32Array, i: number, row: number, score: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!weaker(score, row, top[parent]!, rows[parent]!)) break;
    rows[i] = rows[parent]!;
    top[i] = top[parent]!;
    i = parent;
  }
  rows[i] = row;
  top[i] = score;
}

/** Puts (row, score) at the root of the heap `[0, size)` and restores it downwards. */
function siftDown(rows: Int32Array, top: Float32Array, size: number, row: number, score: number): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && weaker(top[child + 1]!, rows[child + 1]!, top[child]!, rows[child]!)) child++;
    if (!weaker(top[child]!, rows[child]!, score, row)) break;
    rows[i] = rows[child]!;
    top[i] = top[child]!;
    i = child;
  }
  rows[i] = row;
  top[i] = score;
}
