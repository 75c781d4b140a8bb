/**
 * Test support only: a literal transcription of the range coder pseudo-code of §6.2 to §6.5 with
 * BigInt, of the table-ANS encoder of §6.7.4, and of the payload layout of §2 to §5, written from
 * the spec text and sharing no code with the fast implementation (but the table-ANS tables'
 * normalisation and spreading). Tests compare the two byte for byte.
 */

import { normalise, spread, tableLog } from './_tans.js';

const TOP = 1n << 32n;
const BOT = 1n << 24n;

/** §6.3: the value with the most trailing zero bits in [low, low + range). */
export function refTermination(low: bigint, range: bigint): bigint {
  for (let k = 32n; k >= 0n; k--) {
    const p = 1n << k;
    const v = ((low + p - 1n) / p) * p;
    if (v < low + range) return v;
  }
  throw new Error('unreachable');
}

/** Counts carries in {@link refRangeEncode}, so tests can show they exercise them. */
export const refStats = { carries: 0, ripples: 0 };

/** §6.2 and §6.3: the body for `symbols`, symbol i coded with (cum[i], freq[i]) tables. */
export function refRangeEncode(symbols: ArrayLike<number>, tables: { cum: ArrayLike<number>; freq: ArrayLike<number> }[]): Uint8Array {
  let low = 0n, range = TOP - 1n;
  const out: number[] = [];
  const carry = () => {
    let i = out.length - 1;
    while (out[i] === 0xff) { out[i] = 0; i--; refStats.ripples++; }
    if (i < 0) throw new Error('carry past the first byte');
    out[i]! += 1;
    refStats.carries++;
  };
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i]!;
    const r = range / 32768n;
    low = low + r * BigInt(tables[i]!.cum[s]!);
    range = r * BigInt(tables[i]!.freq[s]!);
    if (low >= TOP) { low -= TOP; carry(); }
    while (range < BOT) {
      out.push(Number(low / BOT));
      low = (low % BOT) * 256n;
      range = range * 256n;
    }
  }
  let v = refTermination(low, range);
  if (v >= TOP) { v -= TOP; carry(); }
  out.push(Number((v >> 24n) & 255n), Number((v >> 16n) & 255n), Number((v >> 8n) & 255n), Number(v & 255n));
  while (out.length > 0 && out[out.length - 1] === 0) out.pop();
  return Uint8Array.from(out);
}

/** §6.4 and §6.5: the symbols of `body`, or the error code. */
export function refRangeDecode(
  body: Uint8Array,
  n: number,
  tables: { cum: ArrayLike<number>; freq: ArrayLike<number> }[],
): number[] | 'E_RANGE_CODE' | 'E_NONCANONICAL' {
  const byte = (p: number) => BigInt(p < body.length ? body[p]! : 0);
  let code = (byte(0) << 24n) | (byte(1) << 16n) | (byte(2) << 8n) | byte(3);
  let pos = 4;
  let low = 0n, range = TOP - 1n;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const { cum, freq } = tables[i]!;
    const r = range / 32768n;
    const t = (((code - low) % TOP) + TOP) % TOP / r;
    if (t >= 32768n) return 'E_RANGE_CODE';
    let s = 0;
    while (!(BigInt(cum[s]!) <= t && t < BigInt(cum[s]!) + BigInt(freq[s]!))) s++;
    low = (low + r * BigInt(cum[s]!)) % TOP;
    range = r * BigInt(freq[s]!);
    while (range < BOT) {
      code = (code * 256n + byte(pos)) % TOP;
      pos++;
      low = (low * 256n) % TOP;
      range *= 256n;
    }
    out.push(s);
  }
  const v = refTermination(low, range) % TOP;
  if (code !== v) return 'E_NONCANONICAL';
  if (body.length > pos) return 'E_NONCANONICAL';
  if (body.length > 0 && body[body.length - 1] === 0) return 'E_NONCANONICAL';
  return out;
}

/** §5: MSB-first fixed-width packing, bit by bit. */
export function refPack(indices: ArrayLike<number>, widths: ArrayLike<number>): Uint8Array {
  const bits: number[] = [];
  for (let i = 0; i < indices.length; i++) {
    for (let b = widths[i]! - 1; b >= 0; b--) bits.push((indices[i]! >> b) & 1);
  }
  while (bits.length % 8 !== 0) bits.push(0);
  const out = new Uint8Array(bits.length / 8);
  bits.forEach((bit, i) => { out[i >> 3]! |= bit << (7 - (i & 7)); });
  return out;
}

/** §3: CRC-8/AUTOSAR bit by bit (poly 0x2F, init 0xFF, xorout 0xFF, no reflection). */
export function refCrc8(bytes: ArrayLike<number>): number {
  let crc = 0xff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x2f) & 0xff : (crc << 1) & 0xff;
  }
  return crc ^ 0xff;
}

/**
 * §6.7.4 from the decoding rule alone (§6.7.3): for each index, backward, the one state of its
 * symbol whose decoding step reaches the current state, found by search; bits kept as a string of
 * '0' and '1'. The normalisation and spreading (§6.7.1, §6.7.2) are the fast code's, tested apart.
 */
export function refTansEncode(grid: ArrayLike<number>, freqs: readonly Uint16Array[]): Uint8Array {
  const R = tableLog(freqs.map((f) => f.length));
  const L = 1 << R;
  const G = freqs.length;
  const plane = freqs.map((f) => {
    const norm = normalise(f, R);
    const sym = spread(norm, R);
    const seen = Array.from(norm);
    const step = Array.from(sym, (s) => {
      const x = seen[s]!++;
      const nb = R - Math.floor(Math.log2(x));
      return { s, nb, base: x * 2 ** nb - L };
    });
    return { sym, step };
  });
  const n = grid.length;
  let state = plane[(n - 1) % G]!.sym.indexOf(grid[n - 1]!);
  let bits = '';
  for (let i = n - 2; i >= 0; i--) {
    const { step } = plane[i % G]!;
    const u = step.findIndex((e) => e.s === grid[i] && e.base <= state && state < e.base + 2 ** e.nb);
    const e = step[u]!;
    bits = (e.nb > 0 ? (state - e.base).toString(2).padStart(e.nb, '0') : '') + bits;
    state = u;
  }
  bits = state.toString(2).padStart(R, '0') + bits;
  bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  return Uint8Array.from({ length: bits.length / 8 }, (_, j) => parseInt(bits.slice(8 * j, 8 * j + 8), 2));
}
