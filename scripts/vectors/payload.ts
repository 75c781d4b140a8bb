/**
 * Payload vectors (§2-§8): canonical encode and decode vectors for modes 0, 1, 2 and auto, the
 * extensions, and invalid payloads for every check of §8.
 */

import { decodeGrid, encodeGrid, isFacevqError, type FreqTable, type Profile } from '../../src/codec/index.js';
import { makeRng, sampleGrid, uniformGrid } from '../../src/codec/_testing.js';
import { bytesOf, withCheck, type CaseWriter, type Expect, type NamedProfile, type VectorSet } from './_tools.js';

type Profiles = ReadonlyMap<string, NamedProfile>;

export const zeros = (p: Profile) => new Uint16Array(p.gridLength);
const maxGrid = (p: Profile) => Uint16Array.from({ length: p.gridLength }, (_, n) => p.planes[n % p.planes.length]!.k - 1);

function tablesOf(p: Profile, mode: 1 | 2): FreqTable[] {
  const G = p.planes.length;
  return Array.from({ length: p.gridLength }, (_, n) => (mode === 2 ? p.context!.tables[p.context!.map[n]!]! : p.prior[n % G]!));
}

/** Each index the symbol its table makes least (or most) likely: the longest (shortest) body. */
export function extremeGrid(p: Profile, mode: 1 | 2, least: boolean): Uint16Array {
  return Uint16Array.from(tablesOf(p, mode), (t) => {
    let best = 0;
    for (let s = 1; s < t.freq.length; s++) if (least ? t.freq[s]! < t.freq[best]! : t.freq[s]! > t.freq[best]!) best = s;
    return best;
  });
}

/**
 * Carries of §6.2 while coding `grid`, and whether the termination (§6.3) carries too. Used only
 * to pick grids that exercise carry propagation; the vectors themselves come from the codec.
 */
function carryStats(p: Profile, grid: ArrayLike<number>, mode: 1 | 2): { carries: number; finalCarry: boolean } {
  const tables = tablesOf(p, mode);
  let low = 0, range = 2 ** 32 - 1, carries = 0;
  for (let n = 0; n < grid.length; n++) {
    const t = tables[n]!, s = grid[n]!, r = Math.floor(range / 32768);
    low += r * t.cum[s]!;
    range = r * t.freq[s]!;
    if (low >= 2 ** 32) {
      low -= 2 ** 32;
      carries++;
    }
    while (range < 2 ** 24) {
      low = (low % 2 ** 24) * 256;
      range *= 256;
    }
  }
  let v = 0;
  for (let k = 32; k >= 0; k--) {
    v = Math.ceil(low / 2 ** k) * 2 ** k;
    if (v < low + range) break;
  }
  return { carries, finalCarry: v >= 2 ** 32 };
}

/** The first grid from `draw` that satisfies `ok`, searching at most `tries` grids. */
export function find(draw: () => Uint16Array, ok: (g: Uint16Array) => boolean, what: string, tries = 20000): Uint16Array {
  for (let i = 0; i < tries; i++) {
    const g = draw();
    if (ok(g)) return g;
  }
  throw new Error(`no grid found: ${what}`);
}

export const ALL = ['tiny', 'pq', 'ctx512', 'mixed', 'tight'];

function mode0File(set: VectorSet, P: Profiles): void {
  const m0 = set.file('payload/mode0.json', 'payload', 'Mode 0, fixed-width bodies (§5): canonical encode and decode vectors.');
  for (const name of ALL) {
    const p = P.get(name)!.profile;
    const rng = makeRng(1000 + p.id);
    m0.encode(name, zeros(p), { mode: 0 }, `${name}: every index 0`, '§5');
    m0.encode(name, maxGrid(p), { mode: 0 }, `${name}: every index K_g - 1`, '§5');
    for (let i = 0; i < 3; i++) m0.encode(name, uniformGrid(p, rng), { mode: 0 }, `${name}: uniform random grid ${i + 1}`, '§5');
  }
}

function mode1File(set: VectorSet, P: Profiles): void {
  const m1 = set.file('payload/mode1.json', 'payload', 'Mode 1, range coded under the static prior (§6.1-§6.5): canonical encode and decode vectors.');
  for (const name of ALL) {
    const p = P.get(name)!.profile;
    const rng = makeRng(2000 + p.id);
    m1.encode(name, zeros(p), { mode: 1 }, `${name}: every index 0 (low stays 0: the body is empty)`, '§6.3');
    m1.encode(name, extremeGrid(p, 1, false), { mode: 1 }, `${name}: every index its plane's most likely symbol`, '§6.2');
    for (let i = 0; i < 4; i++) m1.encode(name, sampleGrid(p, rng, 1), { mode: 1 }, `${name}: grid drawn from the prior ${i + 1}`, '§6.2');
    m1.encode(name, extremeGrid(p, 1, true), { mode: 1 }, `${name}: every index its least likely symbol (long body)`, '§6.2');
  }
  const tight = P.get('tight')!.profile;
  const trng = makeRng(2050);
  const long = find(() => uniformGrid(tight, trng), (g) => encodeLength(tight, g) === Infinity, 'tight over bound');
  m1.encode('tight', long, { mode: 1 }, 'tight: forced mode 1 whose payload exceeds maxBytes', '§7', 'E_OVER_BOUND');
  for (const name of ['pq', 'ctx512']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(2100 + p.id);
    const draw = () => uniformGrid(p, rng);
    const carry = find(draw, (g) => carryStats(p, g, 1).carries >= 2, 'two carries');
    m1.encode(name, carry, { mode: 1 }, `${name}: a grid whose coding carries into written bytes`, '§6.2');
    const fin = find(draw, (g) => carryStats(p, g, 1).finalCarry, 'final carry');
    m1.encode(name, fin, { mode: 1 }, `${name}: a grid whose termination value reaches 2^32 (final carry)`, '§6.3');
  }
}

function mode2File(set: VectorSet, P: Profiles): void {
  const m2 = set.file('payload/mode2.json', 'payload', 'Mode 2, range coded under the context prior (§6.6): canonical encode and decode vectors.');
  for (const name of ['ctx512', 'mixed']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(3000 + p.id);
    m2.encode(name, zeros(p), { mode: 2 }, `${name}: every index 0`, '§6.6');
    m2.encode(name, extremeGrid(p, 2, false), { mode: 2 }, `${name}: every index its table's most likely symbol`, '§6.6');
    for (let i = 0; i < 4; i++) m2.encode(name, sampleGrid(p, rng, 2), { mode: 2 }, `${name}: grid drawn from the context tables ${i + 1}`, '§6.6');
    m2.encode(name, uniformGrid(p, rng), { mode: 2 }, `${name}: uniform random grid`, '§6.6');
    m2.encode(name, extremeGrid(p, 2, true), { mode: 2 }, `${name}: every index its table's least likely symbol`, '§6.6');
    const carry = find(() => uniformGrid(p, rng), (g) => carryStats(p, g, 2).carries >= 1, 'mode-2 carry');
    m2.encode(name, carry, { mode: 2 }, `${name}: a grid whose coding carries`, '§6.2, §6.6');
  }
  m2.encode('tiny', zeros(P.get('tiny')!.profile), { mode: 2 }, 'tiny: mode 2 forced on a profile without contexts', '§6.6', 'E_MODE');
}

function autoFile(set: VectorSet, P: Profiles): void {
  const auto = set.file('payload/auto.json', 'payload', 'Auto mode (§7): mode 1 (or 2), mode 0 when that is shorter, E_OVER_BOUND past maxBytes.');
  for (const name of ALL) {
    const p = P.get(name)!.profile;
    const rng = makeRng(4000 + p.id);
    const picks = (g: Uint16Array) => `auto gives mode ${(encodeGrid(g, p, { mode: 'auto' })[0]! >> 2) & 3}`;
    const likely = sampleGrid(p, rng, 1), least = extremeGrid(p, 1, true), uniform = uniformGrid(p, rng);
    auto.encode(name, likely, { mode: 'auto' }, `${name}: a likely grid: ${picks(likely)}`, '§7');
    auto.encode(name, least, { mode: 'auto' }, `${name}: least likely symbols: ${picks(least)}`, '§7');
    auto.encode(name, uniform, { mode: 'auto' }, `${name}: uniform random grid: ${picks(uniform)}`, '§7');
  }
  for (const name of ['tiny', 'pq', 'tight']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(4100 + p.id);
    const draw = () => (rng.next() < 0.5 ? uniformGrid(p, rng) : sampleGrid(p, rng, 1));
    const bodyLen = (g: Uint16Array) => encodeLength(p, g);
    const tie = find(draw, (g) => bodyLen(g) === p.fixedBodyBytes, 'tie');
    auto.encode(name, tie, { mode: 'auto' }, `${name}: mode-1 body exactly B0 bytes: stays mode 1`, '§7');
    // tiny never needs more than B0 = 2 bytes in mode 1; tight cannot hold B0 + 1 in forced mode 1
    if (name !== 'pq') continue;
    const over = find(draw, (g) => bodyLen(g) === p.fixedBodyBytes + 1, 'one over');
    auto.encode(name, over, { mode: 'auto' }, `${name}: mode-1 body B0 + 1 bytes: mode 0`, '§7');
  }
  for (const name of ['ctx512', 'mixed']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(4200 + p.id);
    const picks = (g: Uint16Array) => `auto gives mode ${(encodeGrid(g, p, { mode: 'auto', contexts: true })[0]! >> 2) & 3}`;
    const likely = sampleGrid(p, rng, 2), least = extremeGrid(p, 2, true);
    auto.encode(name, likely, { mode: 'auto', contexts: true }, `${name}: auto with contexts, a likely grid: ${picks(likely)}`, '§7, §6.6');
    auto.encode(name, least, { mode: 'auto', contexts: true }, `${name}: auto with contexts, least likely symbols: ${picks(least)}`, '§7');
  }
  const tiny = P.get('tiny')!.profile, tight = P.get('tight')!.profile;
  auto.encode('tiny', sampleGrid(tiny, makeRng(4300), 1), { mode: 'auto', contexts: true }, 'tiny: auto with contexts on a profile without them codes in mode 1', '§7');
  const trng = makeRng(4400);
  const tg = find(() => uniformGrid(tight, trng), (g) => encodeLength(tight, g) > tight.fixedBodyBytes, 'tight fallback');
  auto.encode('tight', tg, { mode: 'auto', extensions: { captureTime: 1 } }, 'tight: auto falls back to mode 0 at the bound; an extension then exceeds maxBytes', '§7', 'E_OVER_BOUND');
  auto.encode('tight', zeros(tight), { mode: 'auto', extensions: { captureTime: 1 } }, 'tight: a short mode-1 body leaves room for an extension', '§7');
  auto.encode('tight', tg, { mode: 0 }, 'tight: mode 0 fills maxBytes exactly', '§7');
  auto.encode('tiny', [0, 0, 0], { mode: 'auto' }, 'tiny: grid of H*W*G - 1 indices', '§9', 'E_GRID');
  auto.encode('tiny', [0, 0, 0, 0, 0], { mode: 'auto' }, 'tiny: grid of H*W*G + 1 indices', '§9', 'E_GRID');
  auto.encode('tiny', [0, 0, 0, 5], { mode: 0 }, 'tiny: index K = 5 in a grid to encode', '§9', 'E_GRID');
  auto.encode('pq', Uint16Array.from({ length: 32 }, (_, n) => (n === 3 ? 6 : 0)), { mode: 1 }, 'pq: index 6 in plane 1 (K = 6)', '§9', 'E_GRID');
}

/** Body length of `g` in forced mode 1 (or `mode`), or Infinity past maxBytes. */
export function encodeLength(p: Profile, g: Uint16Array, mode: 1 | 3 = 1): number {
  try {
    return encodeGrid(g, p, { mode }).length - 3;
  } catch (e) {
    if (isFacevqError(e, 'E_OVER_BOUND')) return Infinity;
    throw e;
  }
}

export function payloadVectors(set: VectorSet, P: Profiles): void {
  mode0File(set, P);
  mode1File(set, P);
  mode2File(set, P);
  autoFile(set, P);
  extensionFiles(set, P);
  invalidExtensionsFile(set, P);
  headerFile(set, P);
  truncationFile(set, P);
  bodyFiles(set, P);
}

function extensionFiles(set: VectorSet, P: Profiles): void {
  const f = set.file('payload/extensions.json', 'payload', 'Extensions (§4): each known type at its shortest and longest, unknown types skipped and reported, and the encoder rejecting bad values.');
  const bytes = (n: number, from = 1) => Uint8Array.from({ length: n }, (_, i) => (from + i * 37) & 255);
  const tiny = P.get('tiny')!.profile, big = P.get('ctx512')!.profile;
  const g = sampleGrid(tiny, makeRng(5000), 1);
  const gb = sampleGrid(big, makeRng(5001), 2);
  const each: [string, Parameters<CaseWriter['encode']>[2]['extensions']][] = [
    ['capture time 0', { captureTime: 0 }],
    ['capture time 1700000000', { captureTime: 1700000000 }],
    ['capture time 2^32 - 1', { captureTime: 4294967295 }],
    ['nonce of 1 byte', { nonce: bytes(1) }],
    ['nonce of 16 bytes', { nonce: bytes(16) }],
    ['key id of 1 byte', { keyId: bytes(1, 9) }],
    ['key id of 8 bytes', { keyId: bytes(8, 9) }],
    ['auth tag of 4 bytes', { authTag: bytes(4, 77) }],
    ['auth tag of 16 bytes', { authTag: bytes(16, 77) }],
    ['all four known types', { captureTime: 1234567890, nonce: bytes(8), keyId: bytes(2, 5), authTag: bytes(8, 200) }],
    ['unknown type 0x05, empty value', { unknown: [{ type: 0x05, value: new Uint8Array(0) }] }],
    ['unknown type 0x7F, 3 bytes', { unknown: [{ type: 0x7f, value: bytes(3) }] }],
    ['known and unknown types together', { captureTime: 42, nonce: bytes(4), unknown: [{ type: 0x10, value: bytes(2) }, { type: 0x20, value: bytes(1) }] }],
  ];
  for (const [what, ext] of each) {
    f.encode('tiny', g, { mode: 'auto', extensions: ext }, `tiny, auto: ${what}`, '§4');
  }
  for (const mode of [0, 1, 2] as const) {
    f.encode('ctx512', gb, { mode, extensions: { captureTime: 1700000000, nonce: bytes(12), keyId: bytes(4), authTag: bytes(16) } }, `ctx512, mode ${mode}: all four known types`, '§4');
  }
  f.encode('ctx512', gb, { mode: 1, extensions: { unknown: [{ type: 0x33, value: bytes(253) }] } }, 'ctx512: a block of exactly 255 bytes', '§4');
  f.encode('tiny', zeros(tiny), { mode: 1, extensions: { keyId: bytes(3) } }, 'tiny: extensions then an empty mode-1 body', '§4, §6.3');
  f.encode('ctx512', gb, { mode: 1, extensions: { nonce: bytes(17) } }, 'encoder: nonce of 17 bytes', '§4', 'E_EXT_MALFORMED');
  f.encode('ctx512', gb, { mode: 1, extensions: { nonce: new Uint8Array(0) } }, 'encoder: empty nonce', '§4', 'E_EXT_MALFORMED');
  f.encode('ctx512', gb, { mode: 1, extensions: { keyId: bytes(9) } }, 'encoder: key id of 9 bytes', '§4', 'E_EXT_MALFORMED');
  f.encode('ctx512', gb, { mode: 1, extensions: { authTag: bytes(3) } }, 'encoder: auth tag of 3 bytes', '§4', 'E_EXT_MALFORMED');
  f.encode('ctx512', gb, { mode: 1, extensions: { unknown: [{ type: 0x33, value: bytes(254) }] } }, 'encoder: a block of 256 bytes', '§4', 'E_EXT_MALFORMED');
  f.encode('ctx512', gb, { mode: 1, extensions: { unknown: [{ type: 0x40, value: bytes(1) }, { type: 0x40, value: bytes(2) }] } }, 'encoder: an unknown type twice', '§4', 'E_EXT_DUPLICATE');
}

function invalidExtensionsFile(set: VectorSet, P: Profiles): void {
  const f = set.file('payload/invalid-extensions.json', 'payload', 'Malformed extension blocks (§4, §8 step 4): each rule of §4, in its order, entry by entry.');
  const tiny = P.get('tiny')!.profile;
  const g = sampleGrid(tiny, makeRng(5100), 1);
  const raw = (entries: [number, number[]][], n?: number, tail: number[] = []) => encodeRaw(P, 'tiny', g, entries, n, tail);
  const fill = (n: number) => Array.from({ length: n }, (_, i) => (i * 29 + 3) & 255);
  const bare = encodeBare(tiny, g);
  f.decode('tiny', withCheck(bytesOf(bare[0]! | 2, bare[1]!, 0), tiny), 'X = 1 and nothing after the check byte: no length byte', '§4', 'E_TRUNCATED');
  f.decode('tiny', raw([], 0), 'block length N = 0', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', withCheck(bytesOf(bare[0]! | 2, bare[1]!, 0, 0), tiny), 'N = 0 as the last byte', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', raw([[0x01, [0, 0, 0, 1]]], 40), 'N = 40 runs past the end of the payload', '§4', 'E_TRUNCATED');
  f.decode('tiny', raw([[0x01, [0, 0, 0, 1]]], 255), 'N = 255 runs past the end of the payload', '§4', 'E_TRUNCATED');
  f.decode('tiny', raw([[0x01, [0, 0, 0, 1]]], 8), 'N = 8 takes the 2 body bytes into the block', '§4', 'any');
  f.decode('tiny', raw([], 1, [0x02]), 'N = 1: an entry without its length byte', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', raw([[0x01, [0, 0, 0, 1]]], 7, [0x02]), 'a second entry without its length byte', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', raw([], 3, [0x02, 0x05, 0xaa]), 'value length 5 runs past the block', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', raw([[0x00, [1]]]), 'type 0x00', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', raw([[0x01, [0, 0, 0, 1]], [0x00, []]]), 'type 0x00 after a valid entry', '§4', 'E_EXT_MALFORMED');
  f.decode('tiny', raw([[0x02, [1]], [0x02, [2]]]), 'nonce twice', '§4', 'E_EXT_DUPLICATE');
  f.decode('tiny', raw([[0x10, []], [0x10, []]]), 'unknown type 0x10 twice', '§4', 'E_EXT_DUPLICATE');
  f.decode('tiny', raw([[0x02, [1]], [0x02, []]]), 'nonce twice, the second empty: rule 3 before rule 4', '§4', 'E_EXT_DUPLICATE');
  f.decode('tiny', raw([[0x03, [1]], [0x02, [1]]]), 'key id before nonce', '§4', 'E_EXT_ORDER');
  f.decode('tiny', raw([[0x7f, []], [0x05, []]]), 'unknown 0x7F before 0x05', '§4', 'E_EXT_ORDER');
  f.decode('tiny', raw([[0x02, []], [0x01, [0, 0, 0, 0]]]), 'empty nonce, then capture time: rule 4 of the first entry first', '§4', 'E_EXT_MALFORMED');
  const lengths: [number, string, number[]][] = [
    [0x01, 'capture time', [0, 3, 5]],
    [0x02, 'nonce', [0, 17]],
    [0x03, 'key id', [0, 9]],
    [0x04, 'auth tag', [0, 3, 17]],
  ];
  for (const [type, what, lens] of lengths) {
    for (const len of lens) f.decode('tiny', raw([[type, fill(len)]]), `${what} of ${len} bytes`, '§4', 'E_EXT_MALFORMED');
  }
  for (const type of [0x80, 0xc0, 0xff]) f.decode('tiny', raw([[type, [1, 2]]]), `unknown critical type 0x${type.toString(16)}`, '§4', 'E_EXT_CRITICAL');
  f.decode('tiny', raw([[0x01, [0, 0, 0, 1]], [0x90, []]]), 'capture time, then critical type 0x90', '§4', 'E_EXT_CRITICAL');
  f.decode('tiny', raw([[0x90, []], [0x01, [0, 0, 0, 1]]]), 'critical 0x90, then a smaller type: the first entry fails rule 5 first', '§4', 'E_EXT_CRITICAL');
  f.decode('tiny', raw([[0x05, []], [0x7f, [1]]]), 'unknown non-critical 0x05 and 0x7F: skipped, valid', '§4', 'valid', true);
  const badCheck = raw([[0x02, [1]], [0x02, [2]]]);
  badCheck[2] = badCheck[2]! ^ 0xff;
  f.decode('tiny', badCheck, 'duplicate type and a bad check byte: extensions first', '§8', 'E_EXT_DUPLICATE');
  f.decode('tiny', raw([[0x80, []]], undefined, [0x00]), 'critical type and a trailing byte: extensions first', '§8', 'E_EXT_CRITICAL');
}

/**
 * A mode-0 payload of `grid` under `name` with the raw extension entries `[type, value]` written
 * as given (any order, any length) and a correct check byte. `n` overrides the block length.
 */
function encodeRaw(P: Profiles, name: string, grid: ArrayLike<number>, entries: [number, number[]][], n?: number, tail: number[] = []): Uint8Array {
  const p = P.get(name)!.profile;
  const bare = encodeBare(p, grid);
  const block = entries.flatMap(([t, v]) => [t, v.length, ...v]);
  const header = [bare[0]! | 2, bare[1]!, 0];
  return withCheck(bytesOf(header, n ?? block.length, block, tail, bare.subarray(3)), p);
}

/** The mode-0 payload of `grid` without extensions, packed here from §5. */
function encodeBare(p: Profile, grid: ArrayLike<number>): Uint8Array {
  const body = new Uint8Array(p.fixedBodyBytes);
  let bit = 0;
  for (let n = 0; n < grid.length; n++) {
    const bits = p.planes[n % p.planes.length]!.bits;
    for (let b = bits - 1; b >= 0; b--, bit++) if ((grid[n]! >> b) & 1) body[bit >> 3]! |= 0x80 >> (bit & 7);
  }
  return withCheck(bytesOf([0x10, (p.id << 4) | p.tag, 0], body), p);
}

function headerFile(set: VectorSet, P: Profiles): void {
  const f = set.file('payload/invalid-header.json', 'payload', 'Invalid sizes and headers (§2, §3, §8 steps 1-3 and 6), each check alone and against its successors in §8 order.');
  const tiny = P.get('tiny')!.profile, pq = P.get('pq')!.profile, ctx = P.get('ctx512')!.profile;
  const g = sampleGrid(tiny, makeRng(6000), 1);
  const valid0 = encodeBare(tiny, g);
  const set0 = (b0: number, b1 = valid0[1]!) => withCheck(bytesOf(b0, b1, 0, valid0.subarray(3)), tiny);
  f.decode('tiny', new Uint8Array(0), 'empty payload', '§8', 'E_EMPTY');
  f.decode('tiny', bytesOf(valid0, new Uint8Array(1025 - valid0.length)), '1025 bytes', '§8, §14', 'E_TOO_LARGE');
  f.decode('tiny', bytesOf(0x00, valid0.subarray(1), new Uint8Array(1025 - valid0.length)), '1025 bytes with version 0: size is checked first', '§8', 'E_TOO_LARGE');
  f.decode('tiny', valid0.subarray(0, 1), 'one byte', '§8', 'E_TRUNCATED');
  f.decode('tiny', valid0.subarray(0, 2), 'two bytes', '§8', 'E_TRUNCATED');
  f.decode('tiny', bytesOf(0x00, 0x10), 'two bytes, version 0: size is checked first', '§8', 'E_TRUNCATED');
  for (const v of [0, 2, 15]) f.decode('tiny', set0((v << 4) | (valid0[0]! & 15)), `version ${v}`, '§2.1', 'E_VERSION');
  f.decode('tiny', set0(0x11), 'reserved bit set', '§2.1', 'E_RESERVED');
  f.decode('tiny', set0(0x01), 'version 0 and reserved bit: version first', '§8', 'E_VERSION');
  const m3 = set0(0x1c);
  f.decode('tiny', m3, `mode 3 header on a mode-0 body: read as table ANS, ${probe(tiny, m3)}`, '§2.1, §6.7', probe(tiny, m3) as Expect);
  f.decode('tiny', set0(0x1d), 'mode 3 and reserved bit: reserved first', '§8', 'E_RESERVED');
  f.decode('tiny', set0(0x1c, 0x70 | tiny.tag), 'mode 3 and an unknown profile id', '§8', 'E_PROFILE_UNKNOWN');
  f.decode('tiny', set0(0x18), 'mode 2 under a profile without contexts', '§6.6', 'E_MODE');
  f.decode('tiny', set0(0x1a, (tiny.id << 4) | ((tiny.tag + 1) & 15)), 'mode 2 without contexts and a wrong tag: tag first', '§8', 'E_PROFILE_HASH');
  f.decode('tiny', set0(0x1a), 'mode 2 without contexts and a bad extension block: mode first', '§8', 'E_MODE');
  f.decode('tiny', set0(0x10, 0x70 | tiny.tag), 'profile id 7 not held', '§2.2', 'E_PROFILE_UNKNOWN');
  f.decode('tiny', set0(0x10, 0x00 | tiny.tag), 'profile id 0 not held', '§2.2', 'E_PROFILE_UNKNOWN');
  f.decode('tiny', bytesOf(0x10, 0x70 | tiny.tag, valid0[2]! ^ 0x55, valid0.subarray(3)), 'unknown profile and a bad check byte: profile first', '§8', 'E_PROFILE_UNKNOWN');
  for (const d of [1, 8]) {
    f.decode('tiny', set0(0x10, (tiny.id << 4) | ((tiny.tag + d) & 15)), `profile tag off by ${d}`, '§2.2', 'E_PROFILE_HASH');
  }
  f.decode('tiny-other', valid0, 'decoder holds another profile under the same id, with another tag', '§2.2', 'E_PROFILE_HASH');
  f.decode('tiny-twin', valid0, 'decoder holds another profile under the same id and tag: the check byte covers the hash', '§3', 'E_CHECK');
  f.decode('tiny', set0(0x12, (tiny.id << 4) | ((tiny.tag + 1) & 15)), 'wrong tag and a bad extension block: tag first', '§8', 'E_PROFILE_HASH');
  for (const [name, p, mode] of [['tiny', tiny, 0], ['pq', pq, 1], ['ctx512', ctx, 2]] as const) {
    const rng = makeRng(6100 + p.id);
    const payload = encodeAt(p, mode === 2 ? sampleGrid(p, rng, 2) : sampleGrid(p, rng, 1), mode);
    for (const x of [0x01, 0x80, 0xff]) {
      const bad = payload.slice();
      bad[2] = bad[2]! ^ x;
      f.decode(name, bad, `${name}, mode ${mode}: check byte XOR 0x${x.toString(16)}`, '§3', 'E_CHECK');
    }
  }
}

/** The codec's payload of `grid` in `mode` (for mutation). */
function encodeAt(p: Profile, grid: ArrayLike<number>, mode: 0 | 1 | 2): Uint8Array {
  return mode === 0 ? encodeBare(p, grid) : encodeGrid(grid, p, { mode });
}

function truncationFile(set: VectorSet, P: Profiles): void {
  const f = set.file('payload/invalid-truncation.json', 'payload', 'Truncated payloads (§8): every prefix of a few payloads, so every position class (header, extension block, mode-0 body, range-coded body) is cut.');
  const sources: [string, Uint8Array][] = [];
  const tiny = P.get('tiny')!.profile, pq = P.get('pq')!.profile, mixed = P.get('mixed')!.profile, ctx = P.get('ctx512')!.profile;
  sources.push(['tiny, mode 0, capture time + nonce', encodeGrid(sampleGrid(tiny, makeRng(7000), 1), tiny, { mode: 0, extensions: { captureTime: 1700000000, nonce: Uint8Array.of(9, 8, 7, 6) } })]);
  sources.push(['pq, mode 0', encodeGrid(sampleGrid(pq, makeRng(7001), 1), pq, { mode: 0 })]);
  sources.push(['mixed, mode 1, key id', encodeGrid(sampleGrid(mixed, makeRng(7002), 1), mixed, { mode: 1, extensions: { keyId: Uint8Array.of(1, 2) } })]);
  sources.push(['ctx512, mode 2', encodeGrid(sampleGrid(ctx, makeRng(7003), 2), ctx, { mode: 2 })]);
  for (const [what, payload] of sources) {
    const name = what.split(',')[0]!;
    for (let n = 1; n < payload.length; n++) {
      f.decode(name, payload.subarray(0, n), `${what}: first ${n} of ${payload.length} bytes`, '§8', 'any');
    }
  }
  // With the check byte repaired, a cut range-coded body is usually the canonical payload of
  // another grid (§6.5 reads missing bytes as 0x00): only the check byte catches truncation.
  for (const [what, payload] of sources.slice(2)) {
    const name = what.split(',')[0]!;
    const p = P.get(name)!.profile;
    for (let cut = 1; cut <= 3; cut++) {
      const bytes = withCheck(payload.subarray(0, payload.length - cut), p);
      const outcome = probe(p, bytes);
      const says = outcome === 'valid' ? 'decodes to another grid' : `fails with ${outcome}`;
      f.decode(name, bytes, `${what}: last ${cut} byte(s) cut, check byte repaired: ${says}`, '§6.5', outcome as Expect, true);
    }
  }
}

function bodyFiles(set: VectorSet, P: Profiles): void {
  const f0 = set.file('payload/invalid-mode0.json', 'payload', 'Invalid mode-0 bodies (§5, §8 steps 5-7): length, index range, padding, and their order.');
  const tiny = P.get('tiny')!.profile, pq = P.get('pq')!.profile, mixed = P.get('mixed')!.profile;
  const gt = sampleGrid(tiny, makeRng(8000), 1);
  const t0 = encodeBare(tiny, gt);
  f0.decode('tiny', withCheck(bytesOf(t0, 0x00), tiny), 'one trailing 0x00 byte', '§5', 'E_TRAILING');
  f0.decode('tiny', withCheck(bytesOf(t0, 0x5a, 0x5a), tiny), 'two trailing bytes', '§5', 'E_TRAILING');
  f0.decode('tiny', bytesOf(t0, 0x01), 'trailing byte, check byte not updated: length before check', '§8', 'E_TRAILING');
  f0.decode('tiny', withCheck(t0.subarray(0, t0.length - 1), tiny), 'one body byte short, check byte repaired', '§5', 'E_TRUNCATED');
  f0.decode('pq', withCheck(encodeBare(pq, sampleGrid(pq, makeRng(8001), 1)).subarray(0, 3), pq), 'header only, B0 = 14', '§5', 'E_TRUNCATED');
  // Index out of range: K = 5 in 3 bits leaves 5, 6 and 7.
  const rawTiny = (vals: number[], pad = 0) => {
    const bits = vals.map((v) => v.toString(2).padStart(3, '0')).join('') + pad.toString(2).padStart(4, '0');
    return withCheck(bytesOf([0x10, (tiny.id << 4) | tiny.tag, 0], [parseInt(bits.slice(0, 8), 2), parseInt(bits.slice(8, 16), 2)]), tiny);
  };
  for (const v of [5, 6, 7]) f0.decode('tiny', rawTiny([v, 0, 0, 0]), `first index ${v} (K = 5)`, '§5', 'E_INDEX_RANGE');
  f0.decode('tiny', rawTiny([0, 1, 2, 7]), 'last index 7 (K = 5)', '§5', 'E_INDEX_RANGE');
  f0.decode('tiny', rawTiny([4, 4, 4, 4]), 'every index 4 = K - 1: valid', '§5', 'valid', true);
  for (const pad of [1, 2, 4, 8, 15]) f0.decode('tiny', rawTiny([1, 2, 3, 4], pad), `padding bits 0b${pad.toString(2).padStart(4, '0')}`, '§5', 'E_PADDING');
  f0.decode('tiny', rawTiny([1, 2, 3, 6], 1), 'index out of range and padding set: index first', '§8', 'E_INDEX_RANGE');
  const badCheck = rawTiny([1, 2, 3, 6]);
  badCheck[2] = badCheck[2]! ^ 1;
  f0.decode('tiny', badCheck, 'index out of range and a bad check byte: check first', '§8', 'E_CHECK');
  // pq: plane 1 has K = 6 in 3 bits; position 0 is bits 0..3 (plane 0), 4..6 (plane 1).
  const pqGrid = sampleGrid(pq, makeRng(8002), 1);
  for (const v of [6, 7]) {
    const b = encodeBare(pq, pqGrid).slice();
    b[3] = (b[3]! & 0xf1) | (v << 1);
    f0.decode('pq', withCheck(b, pq), `pq: plane-1 index ${v} at position 0 (K = 6)`, '§5', 'E_INDEX_RANGE');
  }
  // mixed: 13 bits a position (1 + 3 + 9), 78 bits, 2 padding bits.
  const mg = Uint16Array.from({ length: mixed.gridLength }, (_, n) => [1, 6, 299][n % 3]!);
  const mb = encodeBare(mixed, mg);
  f0.decode('mixed', mb, 'mixed: every index K_g - 1', '§5', 'valid', true);
  const m300 = mb.slice();
  m300[3] = 0xff; // plane 0 = 1, plane 1 = 7, plane 2 starts with 1111...
  f0.decode('mixed', withCheck(m300, mixed), 'mixed: plane-1 index 7 (K = 7)', '§5', 'E_INDEX_RANGE');
  const m2 = mb.slice();
  m2[3] = 0b11101111; // plane 0 = 1, plane 1 = 6, plane 2 = 1111 then byte 4 follows
  m2[4] = 0xff; // plane 2 = 0b111111111 = 511 >= 300
  f0.decode('mixed', withCheck(m2, mixed), 'mixed: plane-2 index 511 (K = 300)', '§5', 'E_INDEX_RANGE');
  for (const pad of [1, 2, 3]) {
    const b = mb.slice();
    b[b.length - 1] = b[b.length - 1]! | pad;
    f0.decode('mixed', withCheck(b, mixed), `mixed: padding bits 0b${pad.toString(2).padStart(2, '0')}`, '§5', 'E_PADDING');
  }
  for (const bit of [24, 30, 37]) {
    const b = encodeBare(pq, pqGrid).slice();
    b[bit >> 3] = b[bit >> 3]! ^ (0x80 >> (bit & 7));
    f0.decode('pq', b, `pq: bit ${bit} flipped`, '§3', 'E_CHECK');
  }

  const f1 = set.file('payload/invalid-range.json', 'payload', 'Invalid range-coded bodies (§6.4, §6.5, §8 step 7): non-canonical terminations, E_RANGE_CODE, and bodies found by seeded search.');
  for (const name of ['pq', 'ctx512', 'mixed']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(9000 + p.id);
    for (const mode of p.context ? ([1, 2] as const) : ([1] as const)) {
      const grid = sampleGrid(p, rng, mode);
      const good = encodeGrid(grid, p, { mode });
      const last = good[good.length - 1]!;
      f1.decode(name, withCheck(bytesOf(good, 0x00), p), `${name}, mode ${mode}: extra trailing 0x00`, '§6.5', 'E_NONCANONICAL');
      f1.decode(name, withCheck(bytesOf(good, 0x00, 0x00, 0x00, 0x00), p), `${name}, mode ${mode}: termination not trimmed (four 0x00)`, '§6.5', 'E_NONCANONICAL');
      f1.decode(name, withCheck(bytesOf(good, 0x80), p), `${name}, mode ${mode}: extra byte 0x80`, '§6.5', 'any');
      f1.decode(name, withCheck(bytesOf(good, 0x01), p), `${name}, mode ${mode}: extra byte 0x01`, '§6.5', 'any');
      f1.decode(name, withCheck(bytesOf(good.subarray(0, good.length - 1), last ^ 0x01), p), `${name}, mode ${mode}: last byte XOR 0x01`, '§6.5', 'any');
      f1.decode(name, withCheck(good.subarray(0, 3), p), `${name}, mode ${mode}: empty body for a grid that is not all zero`, '§6.5', 'any');
      f1.decode(name, bytesOf(good, 0x00), `${name}, mode ${mode}: extra 0x00, check byte not updated: check first`, '§8', 'E_CHECK');
    }
  }
  // Seeded random bodies with a repaired check byte: keep the first few of each outcome.
  for (const name of ['pq', 'ctx512']) {
    const p = P.get(name)!.profile;
    const rng = makeRng(9500 + p.id);
    const want: Record<string, number> = { E_RANGE_CODE: 4, E_NONCANONICAL: 3 };
    for (let i = 0; i < 5000 && Object.values(want).some((n) => n > 0); i++) {
      const len = 1 + rng.int(name === 'pq' ? 12 : 60);
      const body = Uint8Array.from({ length: len }, () => rng.int(256));
      const bytes = withCheck(bytesOf([0x14, (p.id << 4) | p.tag, 0], body), p);
      const code = probe(p, bytes);
      if ((want[code] ?? 0) > 0) {
        want[code]!--;
        f1.decode(name, bytes, `${name}, mode 1: random ${len}-byte body (seeded search) gives ${code}`, code === 'E_RANGE_CODE' ? '§6.4' : '§6.5', code as `E_${string}`);
      }
    }
    if (Object.values(want).some((n) => n > 0)) throw new Error(`${name}: random search found too few`);
  }
  f1.decode('pq', withCheck(bytesOf([0x14, (pq.id << 4) | pq.tag, 0], [0xff, 0xff, 0xff, 0xff, 0xff]), pq), 'pq: body of 0xFF bytes', '§6.4', 'any');
}

/** The outcome of decoding `bytes` under `p`: 'valid' or the code. */
export function probe(p: Profile, bytes: Uint8Array): string {
  try {
    decodeGrid(bytes, p);
    return 'valid';
  } catch (e) {
    if (isFacevqError(e)) return e.code;
    throw e;
  }
}
