/**
 * The range coder of modes 1 and 2 (§6): 32-bit range, 15-bit frequencies, carry propagation in
 * the encoder, a canonical termination and its check.
 *
 * Read me first:
 * 1. The encoder's `low` can reach 2^33 before the carry is taken out (§6.2). Plain JavaScript
 *    numbers are exact below 2^53, so the encoder does that arithmetic with `+`, `*` and
 *    comparisons, never with bit operators. Bit operators appear only where the spec reduces mod
 *    2^32 anyway: `x << 8` keeps the low 32 bits, and `>>> 0` makes them unsigned again.
 * 2. A carry adds 1 to the bytes already written (§6.2). The coded value stays below 1 (the
 *    interval's top never rises above its start, 2^32 - 1), so a carry never runs past the first
 *    body byte.
 * 3. The decoder tracks only `code - low`; the canonical check (§6.5) needs the encoder's `low`
 *    (mod 2^32), which it recovers at the end from the last 4 bytes read. It reads bytes past the
 *    end of the body as 0x00 and counts them, so trailing bytes and a missing termination are
 *    caught by comparing that count with the body's length.
 * 4. Termination (§6.3) picks the value of the final interval with the most trailing zero bits;
 *    {@link terminationValue} finds it without the spec's 33-step loop.
 */

import { fail } from './errors.js';
import type { DecodeTable, FreqTable } from './_freq.js';

const TOP = 0x100000000; // 2^32
const BOT = 0x1000000; // 2^24: renormalise while range < BOT
const FULL = 0xffffffff; // initial range, 2^32 - 1

/**
 * The value with the most trailing zero bits in `[low, low + range)` (§6.3), where
 * `0 <= low < 2^32` and `1 <= range < 2^32`. The result is below 2^33.
 */
export function terminationValue(low: number, range: number): number {
  if (low === 0) return 0; // k = 32 gives v = 0
  if (low + range > TOP) return TOP; // k = 32 gives v = 2^32
  // Now hi < 2^32. In (low - 1, hi] the multiple of the largest power of two is hi with the bits
  // below the highest bit where low - 1 and hi differ cleared.
  const hi = low + range - 1;
  const top = 0x80000000 >>> Math.clz32(((low - 1) ^ hi) >>> 0); // highest differing bit
  return hi - (hi & (top - 1)); // top - 1 < 2^31: safe with &
}

/** Adds 1 at `out[p - 1]`, propagating over 0xFF bytes (§6.2 carry). */
function carry(out: Uint8Array, p: number): void {
  let i = p - 1;
  while (out[i] === 0xff) out[i--] = 0;
  out[i]!++;
}

/**
 * Range-codes `grid` (§6.2, §6.3) into `out` from byte `start`; index `n` uses `tables[n]`.
 * Returns the end of the body (trailing zero bytes removed). `out` MUST have room for
 * `ceil(n * 15.003 / 8) + 4` bytes after `start`; indices MUST be valid for their tables.
 */
export function rangeEncode(
  grid: ArrayLike<number>,
  tables: readonly FreqTable[],
  out: Uint8Array,
  start: number,
): number {
  let low = 0; // < 2^33 during a step, < 2^32 between steps
  let range = FULL; // in [2^24, 2^32) between steps
  let p = start;
  const n = grid.length;
  for (let i = 0; i < n; i++) {
    const t = tables[i]!;
    const s = grid[i]!;
    const r = range >>> 15; // floor(range / 2^15), >= 2^9
    low += r * t.cum[s]!;
    range = r * t.freq[s]!;
    if (low >= TOP) {
      low -= TOP;
      carry(out, p);
    }
    while (range < BOT) {
      out[p++] = low >>> 24; // floor(low / 2^24); low < 2^32 here
      low = (low & 0xffffff) * 256;
      range *= 256;
    }
  }
  // §6.3: append the 4 bytes of v, then drop trailing zeros.
  let v = terminationValue(low, range);
  if (v >= TOP) {
    v -= TOP;
    carry(out, p);
  }
  out[p] = v >>> 24;
  out[p + 1] = v >>> 16;
  out[p + 2] = v >>> 8;
  out[p + 3] = v;
  p += 4;
  while (p > start && out[p - 1] === 0) p--;
  return p;
}

/**
 * Decodes `tables.length` indices from the body `buf[start..end)` (§6.4), index `n` with
 * `tables[n]`, into `grid` (at least that long), then runs the canonical check (§6.5). Fails with
 * `E_RANGE_CODE` or `E_NONCANONICAL`; bit positions count from the start of `buf`.
 */
export function rangeDecode(buf: Uint8Array, start: number, end: number, tables: readonly DecodeTable[], grid: Uint16Array): void {
  let pos = start;
  let x = 0; // (code - low) mod 2^32, where code holds the last 4 bytes read (§6.4)
  for (let k = 0; k < 4; k++, pos++) x = ((x << 8) | (pos < end ? buf[pos]! : 0)) >>> 0;
  let range = FULL;
  const n = tables.length;
  // Every variable stays a uint32 and every product goes through Math.imul, so V8 keeps the loop
  // on integers (the division becomes an integer division): 40% faster than the same loop on
  // doubles (4x4x4 grids of the benchmark). The products are exact: r * c[s] <= x < 2^32 and
  // r * f[s] <= range.
  for (let i = 0; i < n; i++) {
    const t = tables[i]!;
    const r = range >>> 15;
    const q = (x / r) | 0; // floor(x / r) < 2^23
    if (q >= 32768) fail('E_RANGE_CODE', (pos - 4) * 8);
    // The symbol with c[s] <= q < c[s + 1]: the slot's symbol or a later one.
    const j = q >> t.shift;
    let s = t.slot[j]!;
    let e = t.entry[j]!; // c[s] | f[s] << 16
    while ((e & 0xffff) + (e >>> 16) <= q) e = t.packed[++s]!;
    x = (x - Math.imul(r, e & 0xffff)) >>> 0;
    range = Math.imul(r, e >>> 16) >>> 0;
    // Renormalise without a loop: range >= r >= 2^9 here, so it needs 0, 1 or 2 bytes, which is
    // clz32(range) / 8 rounded down. A `while (range < BOT)` loop mispredicts on about every
    // other index; with this form (and no `low`) decodeGridInto took 5% less time (m profile,
    // 777 -> 734 ns a payload, old and new interleaved in one process).
    // `w` is the next two bytes (0x00 past the end), and `w >>> (16 - sh)` their first sh bits.
    const sh = Math.clz32(range) & 24;
    const w = pos + 1 < end ? (buf[pos]! << 8) | buf[pos + 1]! : pos < end ? buf[pos]! << 8 : 0;
    x = ((x << sh) | (w >>> (16 - sh))) >>> 0;
    range = (range << sh) >>> 0;
    pos += sh >> 3;
    grid[i] = s;
  }
  // §6.5 canonical check. The loop does not track `low` (one dependency chain less): code - x is
  // low mod 2^32, and code is the last 4 bytes read.
  let code = 0;
  for (let k = pos - 4; k < pos; k++) code = ((code << 8) | (k < end ? buf[k]! : 0)) >>> 0;
  const low = (code - x) >>> 0;
  if (code !== terminationValue(low, range) >>> 0) fail('E_NONCANONICAL', (pos - 4) * 8);
  if (end > pos) fail('E_NONCANONICAL', pos * 8);
  if (end > start && buf[end - 1] === 0) fail('E_NONCANONICAL', (end - 1) * 8);
}

/**
 * The bits each index of `grid` costs in the range coder, `log2(range / (r * f[s]))` (§6.2). The
 * range evolves the same way in the encoder and the decoder and does not depend on the code, so
 * this needs only the indices.
 */
export function rangeCosts(grid: ArrayLike<number>, tables: readonly FreqTable[]): Float64Array {
  const costs = new Float64Array(grid.length);
  let range = FULL;
  for (let i = 0; i < grid.length; i++) {
    const r = range >>> 15;
    const next = r * tables[i]!.freq[grid[i]!]!;
    costs[i] = Math.log2(range / next);
    range = next;
    while (range < BOT) range *= 256;
  }
  return costs;
}

/** Most body bytes {@link rangeEncode} can produce for `n` indices (15.003 bits an index, §6). */
export function maxRangeBody(n: number): number {
  return Math.ceil((n * 15.003) / 8) + 4;
}
