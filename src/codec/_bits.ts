/**
 * The fixed-width body of mode 0 (§5): each index in `bits_g` bits, most significant bit first, in
 * grid order, the last byte padded with 0 bits. Bit 0 is the most significant bit of byte 0.
 * Free functions over a buffer and a bit position; no state.
 */

import { fail } from './errors.js';

/**
 * ORs the low `n` bits of `value` (1 <= n <= 24) into `buf` at `bitPos`, most significant first,
 * and returns the new bit position. The bits written over MUST be zero (a fresh buffer).
 */
export function writeBits(buf: Uint8Array, bitPos: number, value: number, n: number): number {
  let i = bitPos >>> 3;
  let free = 8 - (bitPos & 7); // bits still free in buf[i]
  let left = n;
  while (left > free) {
    left -= free;
    buf[i++]! |= (value >>> left) & ((1 << free) - 1);
    free = 8;
  }
  buf[i]! |= (value & ((1 << left) - 1)) << (free - left);
  return bitPos + n;
}

/**
 * §5 encode: packs `grid` (index `n` in `bits[n]` bits) into `out` from byte `start`, zeroing the
 * `bytes` it covers first; returns the end.
 */
export function packFixed(grid: ArrayLike<number>, bits: Uint8Array, out: Uint8Array, start: number, bytes: number): number {
  out.fill(0, start, start + bytes);
  let bitPos = start * 8;
  for (let n = 0; n < grid.length; n++) bitPos = writeBits(out, bitPos, grid[n]!, bits[n]!);
  return start + bytes;
}

/**
 * §5 decode: reads `bits.length` indices (index `n` in `bits[n]` <= 12 bits, below `k[n]`) from
 * byte `start` into `grid` (at least that long), then checks the padding: `E_INDEX_RANGE` in grid
 * order, then `E_PADDING`, with bit positions from the start of `buf`. The caller has checked
 * that the body is exactly `B0` bytes, so every read is in bounds. `acc` holds the `held` bits
 * read but not yet used (fewer than 8 + 12); a local accumulator measured faster than a read call
 * per index.
 */
export function unpackFixed(buf: Uint8Array, start: number, bits: Uint8Array, k: Uint16Array, grid: Uint16Array): void {
  let p = start;
  let acc = 0;
  let held = 0;
  for (let n = 0; n < bits.length; n++) {
    const b = bits[n]!;
    while (held < b) {
      acc = (acc << 8) | buf[p++]!;
      held += 8;
    }
    held -= b;
    const v = acc >>> held;
    acc &= (1 << held) - 1;
    if (v >= k[n]!) fail('E_INDEX_RANGE', p * 8 - held - b);
    grid[n] = v;
  }
  if (acc !== 0) fail('E_PADDING', p * 8 - held);
}
