/**
 * Quantised frequency tables (§6.1): `K` frequencies, each >= 1, summing to exactly 2^15.
 * A {@link FreqTable} carries what the range coder (§6) needs, built once per profile table.
 */

/** Frequencies are 15-bit (§6). */
export const PROB_BITS = 15;
/** 2^15: the sum of every table's frequencies (§6.1). */
export const PROB_SCALE = 1 << PROB_BITS;

/** A validated frequency table with its lookups. */
export interface FreqTable {
  /** `f[s]`, each >= 1, summing to 2^15. */
  readonly freq: Uint16Array;
  /**
   * `c[s] = f[0] + ... + f[s-1]`, length `K + 1` (`c[K] = 2^15`). Int32 rather than uint32 so V8
   * loads it as a small integer and the range decoder's loop stays on integers (see rangeDecode).
   */
  readonly cum: Int32Array;
  /** Ideal cost of each symbol in bits: `-log2(f[s] / 2^15)`. */
  readonly cost: Float64Array;
}

/**
 * The symbol `s` with `c[s] <= t < c[s + 1]`, for `0 <= t < 2^15`: a binary search, for drawing
 * test grids (the range decoder has its own lookup, {@link DecodeTable}).
 */
export function symbolAt(table: FreqTable, t: number): number {
  let lo = 0;
  let hi = table.freq.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (table.cum[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Builds the lookups of a valid table (§6.1: every entry >= 1, sum 2^15; the profile reader checks). */
export function makeFreqTable(freq: Uint16Array): FreqTable {
  const k = freq.length;
  const cum = new Int32Array(k + 1);
  const cost = new Float64Array(k);
  let c = 0;
  for (let s = 0; s < k; s++) {
    const f = freq[s]!;
    cum[s] = c;
    cost[s] = PROB_BITS - Math.log2(f);
    c += f;
  }
  cum[k] = c;
  return { freq, cum, cost };
}

/**
 * The range decoder's lookups for one table, kept in the profile's coding data (not in the public
 * {@link FreqTable}). `entry[j]` packs `c[s] | f[s] << 16` for the symbol `s = slot[j]` whose
 * interval holds `t = j << shift`, so one load after the division gives the decoder both `c[s]`
 * and `f[s]`; a slot table of symbols alone needed two loads in a row (the symbol, then its `c`
 * and `f`), and decodeGridInto took 8% more time (m profile, 727 -> 667 ns a payload).
 * `packed[s]` is the same value for every symbol, for the steps past `slot[j]`. A full 2^15-slot
 * table would fall out of the L1 cache (measured about 10% slower for one K = 512 table).
 */
export interface DecodeTable {
  readonly shift: number;
  readonly slot: Uint16Array;
  readonly entry: Int32Array;
  readonly packed: Int32Array;
}

/**
 * Builds the {@link DecodeTable} of a valid table, with `2^(15 - shift)` slots: the power of two
 * at or above 8K, at most 2^11 (12 KiB). For K = 64 the 512 slots (3 KiB) decoded as fast as
 * 2048 or faster, and the 4 tables of the m profile stay well inside the L1 cache.
 */
export function makeDecodeTable(table: FreqTable): DecodeTable {
  const k = table.freq.length;
  const shift = Math.max(4, 12 - (32 - Math.clz32(k - 1))); // 12 - ceil(log2 K), at most 2^11 slots
  const packed = new Int32Array(k);
  for (let s = 0; s < k; s++) packed[s] = table.cum[s]! | (table.freq[s]! << 16);
  const n = PROB_SCALE >> shift;
  const slot = new Uint16Array(n);
  const entry = new Int32Array(n);
  for (let j = 0, s = 0; j < n; j++) {
    while (table.cum[s + 1]! <= j << shift) s++;
    slot[j] = s;
    entry[j] = packed[s]!;
  }
  return { shift, slot, entry, packed };
}

/**
 * Quantises empirical counts to a valid table of `2^bits` (default 2^15) with every entry >= 1,
 * close to the optimum of `sum_s counts[s] * -log2(f[s] / 2^bits)`. Deterministic: entries are
 * first scaled and rounded (at least 1), then the sum is corrected one unit at a time where the
 * change costs least (ties: lowest symbol). All-zero counts give a near-uniform table. Smooth the
 * counts first (add a pseudo-count) if unseen symbols deserve more than the minimum.
 */
export function fitFrequencies(counts: ArrayLike<number>, bits = PROB_BITS): Uint16Array {
  const k = counts.length;
  if (!Number.isInteger(bits) || bits < 1 || bits > 15) throw new RangeError('fitFrequencies: bits must be 1..15');
  const total = 2 ** bits;
  if (k < 1 || k > total) throw new RangeError(`fitFrequencies: need 1..${total} counts`);
  let sum = 0;
  for (let s = 0; s < k; s++) {
    const c = counts[s]!;
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError('fitFrequencies: counts must be finite and >= 0');
    sum += c;
  }
  const f = new Float64Array(k);
  const w = new Float64Array(k); // weights the cost is measured with
  let fsum = 0;
  for (let s = 0; s < k; s++) {
    w[s] = sum > 0 ? counts[s]! : 1;
    const ideal = sum > 0 ? (counts[s]! * total) / sum : total / k;
    f[s] = Math.max(1, Math.round(ideal));
    fsum += f[s]!;
  }
  // Correct the sum greedily: each step moves one unit where the weighted cost changes least.
  while (fsum !== total) {
    let best = -1;
    let bestDelta = Infinity;
    const up = fsum < total;
    for (let s = 0; s < k; s++) {
      const fs = f[s]!;
      if (!up && fs <= 1) continue;
      const delta = up ? -w[s]! * Math.log2((fs + 1) / fs) : w[s]! * Math.log2(fs / (fs - 1));
      if (delta < bestDelta) {
        bestDelta = delta;
        best = s;
      }
    }
    f[best]! += up ? 1 : -1;
    fsum += up ? 1 : -1;
  }
  return Uint16Array.from(f);
}
