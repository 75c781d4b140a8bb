/**
 * Test support only: a literal transcription of the range coder pseudo-code of §6.2 to §6.5 with
 * BigInt, and of the payload layout of §2 to §5, written from the spec text and sharing no code
 * with the fast implementation. Tests compare the two byte for byte.
 */

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
