/**
 * Table ANS, the coder of mode 3 (§6.7): FSE-style tables derived from the mode-1 prior, a
 * forward MSB-first bitstream, a canonical final state.
 *
 * Read me first:
 * 1. ANS is last in, first out. The decoder runs the grid forward; the encoder runs it backward,
 *    from the decoder's final state (canonical, §6.7.4) to its initial state, collects each
 *    index's bits, then lays them out in decoding order.
 * 2. One table log `R` for the whole profile, so the state space of every plane is `[0, L)`,
 *    `L = 2^R`, and a transition from a state of plane `g` lands in plane `g + 1`'s table. The
 *    planes' tables sit side by side in one array; a state here is absolute (`g * L + u`) and each
 *    decoding entry's base already points into the next plane's block, so the decoder does no
 *    arithmetic on the plane.
 * 3. The decoder reads bits past the end of the body as 0 and tracks the bit position; truncation,
 *    trailing bytes, the final state and the padding are checked once after the loop (§6.7.5).
 */

import { fail } from './errors.js';
import { PROB_BITS } from './_freq.js';

/**
 * Smallest table log (§6.7.1): the initial state costs R bits, and on the shipped profiles (K = 64
 * to 256) R = 9 gave shorter payloads than 10 to 13 (measured; the numbers are in §6.7).
 */
const MIN_TABLE_LOG = 9;
/** Largest table log: K <= 4096 (§14) gives bits_g <= 12. */
export const MAX_TABLE_LOG = 14;
/** A decoding entry packs `base | nbBits << NB_SHIFT`; bases are below 8 * 2^14 = 2^17. */
const NB_SHIFT = 20;
const BASE_MASK = (1 << NB_SHIFT) - 1;

/** Mode 3's tables for one profile (§6.7.1 to §6.7.3), all planes side by side. */
export interface TansTables {
  /** Table log `R`; `L = 2^R` states per plane. */
  readonly log: number;
  /** Planes `G`. */
  readonly planes: number;
  /** Decoding: the symbol of absolute state `g * L + u`. */
  readonly symbol: Uint16Array;
  /** Decoding: `base | nbBits << 20`, `base` the absolute first state of the next plane's range. */
  readonly next: Int32Array;
  /** Encoding: per plane, `f'` of each symbol (plane `g`'s symbols start at `symStart[g]`). */
  readonly norm: Uint16Array;
  /** Encoding: per plane, `c'[s] = f'[0] + ... + f'[s-1]` into `states`. */
  readonly cum: Int32Array;
  /** Encoding: plane `g`'s states of each symbol, in increasing order, at `g * L + c'[s]`. */
  readonly states: Int32Array;
  /** First symbol of each plane in `norm` and `cum`. */
  readonly symStart: Int32Array;
}

/** §6.7.1: `R = max(9, max_g bits_g + 2)`. */
export function tableLog(ks: readonly number[]): number {
  let bits = 0;
  for (const k of ks) bits = Math.max(bits, 32 - Math.clz32(k - 1));
  return Math.max(MIN_TABLE_LOG, bits + 2);
}

/**
 * §6.7.1: the 15-bit frequencies `f` scaled to `f'` summing to `L = 2^R` (R <= 14), each >= 1:
 * rounded half up, then the sum corrected one unit at a time on the largest `f'` (lowest symbol
 * among equals).
 */
export function normalise(freq: ArrayLike<number>, log: number): Uint16Array {
  const k = freq.length;
  const total = 1 << log;
  const shift = PROB_BITS - log;
  const half = 1 << (shift - 1);
  const norm = new Uint16Array(k);
  let sum = 0;
  for (let s = 0; s < k; s++) sum += norm[s] = Math.max(1, (freq[s]! + half) >> shift);
  while (sum !== total) {
    let best = 0;
    for (let s = 1; s < k; s++) if (norm[s]! > norm[best]!) best = s;
    const d = sum > total ? -1 : 1;
    norm[best]! += d;
    sum += d;
  }
  return norm;
}

/** §6.7.2: the symbol of each state: symbols in order, `f'[s]` times each, a fixed step apart. */
export function spread(norm: Uint16Array, log: number): Uint16Array {
  const size = 1 << log;
  const mask = size - 1;
  const step = (size >> 1) + (size >> 3) + 3; // odd, so it visits every state once
  const symbol = new Uint16Array(size);
  let pos = 0;
  for (let s = 0; s < norm.length; s++) {
    for (let i = 0; i < norm[s]!; i++) {
      symbol[pos] = s;
      pos = (pos + step) & mask;
    }
  }
  return symbol;
}

/** Builds mode 3's tables from the planes' frequency tables (§6.7.1 to §6.7.3). */
export function makeTansTables(freqs: readonly ArrayLike<number>[]): TansTables {
  const G = freqs.length;
  const log = tableLog(freqs.map((f) => f.length));
  const size = 1 << log;
  const symStart = new Int32Array(G + 1);
  for (let g = 0; g < G; g++) symStart[g + 1] = symStart[g]! + freqs[g]!.length;
  const symbol = new Uint16Array(G * size);
  const next = new Int32Array(G * size);
  const norm = new Uint16Array(symStart[G]!);
  const cum = new Int32Array(symStart[G]!);
  const states = new Int32Array(G * size);
  for (let g = 0; g < G; g++) {
    const f = normalise(freqs[g]!, log);
    const first = symStart[g]!;
    norm.set(f, first);
    const sym = spread(f, log);
    symbol.set(sym, g * size);
    const seen = new Uint16Array(f.length); // occurrences of each symbol so far
    for (let s = 0, c = 0; s < f.length; s++) {
      cum[first + s] = c;
      c += f[s]!;
    }
    const nextPlane = ((g + 1) % G) * size;
    for (let u = 0; u < size; u++) {
      const s = sym[u]!;
      const x = f[s]! + seen[s]!; // §6.7.3: f'[s] <= x < 2 f'[s]
      states[g * size + cum[first + s]! + seen[s]!] = g * size + u;
      seen[s]!++;
      const nb = log - (31 - Math.clz32(x)); // R - floor(log2 x)
      next[g * size + u] = (nextPlane + (x << nb) - size) | (nb << NB_SHIFT);
    }
  }
  return { log, planes: G, symbol, next, norm, cum, states, symStart };
}

/** §6.7.4: the canonical final state, the lowest state of plane `g` holding `s` (absolute). */
function firstState(t: TansTables, g: number, s: number): number {
  return t.states[(g << t.log) + t.cum[t.symStart[g]! + s]!]!;
}

/** Most body bytes {@link tansEncode} can produce for `n` indices: `R` bits each, §6.7.4. */
export function maxTansBody(n: number, log: number): number {
  return Math.ceil((n * log) / 8);
}

// Scratch for the encoder's bits, index by index (at most 1024 indices, §14).
const chunkValue = new Uint16Array(1024);
const chunkBits = new Uint8Array(1024);

/**
 * §6.7.4 encode: codes `grid` (n >= 1 valid indices, index `i` in plane `i mod G`) into `out`
 * from byte `start` and returns the end of the body. `out` MUST have room for {@link maxTansBody}
 * bytes after `start`.
 */
export function tansEncode(grid: ArrayLike<number>, t: TansTables, out: Uint8Array, start: number): number {
  const { log, planes: G, norm, cum, states, symStart } = t;
  const size = 1 << log;
  const n = grid.length;
  let g = (n - 1) % G;
  let state = firstState(t, g, grid[n - 1]!); // the decoder's final state
  let bits = log;
  for (let i = n - 2; i >= 0; i--) {
    const xl = state - g * size + size; // X = state + L of §6.7.4, with the state relative to its plane
    g = g === 0 ? G - 1 : g - 1;
    const sym = symStart[g]! + grid[i]!;
    const f = norm[sym]!;
    // nb: the one with f' <= xl >> nb < 2 f'.
    let nb = log - (31 - Math.clz32(f));
    if (xl >> nb < f) nb--;
    chunkValue[i] = xl & ((1 << nb) - 1);
    chunkBits[i] = nb;
    bits += nb;
    state = states[g * size + cum[sym]! + (xl >> nb) - f]!;
  }
  const end = start + ((bits + 7) >> 3);
  // Lay the bits out forward: the initial state, then index 0's bits, 1's, ...
  let acc = state; // its low `held` bits are still to write; first the initial state (plane 0's block starts at 0)
  let held = log;
  let p = start;
  for (let i = 0; ; i++) {
    while (held >= 8) {
      held -= 8;
      out[p++] = acc >>> held;
    }
    if (i === n - 1) break;
    const nb = chunkBits[i]!;
    acc = (acc << nb) | chunkValue[i]!; // held + nb <= 7 + 14 bits: acc keeps them
    held += nb;
  }
  if (held > 0) out[p] = acc << (8 - held);
  return end;
}

/** Bytes `q`, `q + 1`, `q + 2` of `buf` big-endian, 0x00 at or past `end`: the decoder's slow path. */
function windowAt(buf: Uint8Array, q: number, end: number): number {
  return ((q < end ? buf[q]! : 0) << 16) | ((q + 1 < end ? buf[q + 1]! : 0) << 8) | (q + 2 < end ? buf[q + 2]! : 0);
}

/**
 * §6.7.5 decode: reads `n` >= 1 indices from the body `buf[start..end)` into `grid`, then checks
 * in this order: `E_TRUNCATED` (bits read past the end), `E_TRAILING` (whole bytes left),
 * `E_NONCANONICAL` (final state), `E_PADDING`. Bit positions count from the start of `buf`.
 *
 * Each step reads its bits from a 24-bit window at the bit position (`nbBits <= 14` plus up to 7
 * bits of offset fit), with no refill loop: on the m profile (R = 11 then) that took 330 ns a
 * payload where a byte-refill loop took 550 and a 16-bit conditional refill 450 (range decoder:
 * 580), all in one process, the loop's branch mispredicting on the refills. Bits past the end read as 0; the
 * position only grows, so once past the end the body fails E_TRUNCATED whatever was read.
 */
export function tansDecode(buf: Uint8Array, start: number, end: number, t: TansTables, n: number, grid: Uint16Array): void {
  const { log, symbol, next } = t;
  let state = windowAt(buf, start, end) >>> (24 - log); // §6.7.5: the first R bits
  let bitPos = start * 8 + log;
  for (let i = 0; i < n - 1; i++) {
    const e = next[state]!;
    grid[i] = symbol[state]!;
    const q = bitPos >> 3;
    const w = q + 2 < end ? (buf[q]! << 16) | (buf[q + 1]! << 8) | buf[q + 2]! : windowAt(buf, q, end);
    const nb = e >>> NB_SHIFT;
    // The nb bits at bitPos: drop the (bitPos & 7) already read, keep 24 bits, take the top nb.
    state = (e & BASE_MASK) + (((w << (bitPos & 7)) & 0xffffff) >>> (24 - nb));
    bitPos += nb;
  }
  const last = symbol[state]!;
  grid[n - 1] = last;
  const bytes = (bitPos + 7) >> 3;
  if (bytes > end) fail('E_TRUNCATED', end * 8);
  if (bytes < end) fail('E_TRAILING', bytes * 8);
  if (state !== firstState(t, (n - 1) % t.planes, last)) fail('E_NONCANONICAL', bitPos);
  if ((bitPos & 7) !== 0 && (buf[end - 1]! & (0xff >> (bitPos & 7))) !== 0) fail('E_PADDING', bitPos);
}

/**
 * Bits each index of `grid` costs in mode 3 (its `nbBits`; the last index costs 0), §6.7.4: the
 * counts {@link tansEncode} leaves in its scratch.
 */
export function tansCosts(grid: ArrayLike<number>, t: TansTables): Float64Array {
  const costs = new Float64Array(grid.length);
  tansEncode(grid, t, new Uint8Array(maxTansBody(grid.length, t.log)), 0);
  for (let i = 0; i < grid.length - 1; i++) costs[i] = chunkBits[i]!;
  return costs;
}
