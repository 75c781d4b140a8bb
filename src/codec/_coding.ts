/**
 * Per-profile data the payload coder derives once: the CRC register after the profile hash (§3)
 * and, for each grid index, its table under modes 1 and 2 (§6.1, §6.6) with the range decoder's
 * lookups; and, on first use of mode 3, its table-ANS tables (§6.7). Kept in a WeakMap so a `Profile`
 * stays a plain, public data object.
 */

import { crc8Begin } from './_crc8.js';
import { makeDecodeTable, type DecodeTable, type FreqTable } from './_freq.js';
import { makeTansTables, type TansTables } from './_tans.js';
import type { Profile } from './profile.js';

export interface Coding {
  /** CRC-8 register after `sha256(profile)`. */
  readonly crcState: number;
  /** Mode 1: `prior[n mod G]` for each index `n`. */
  readonly mode1: readonly FreqTable[];
  /** Mode 2: `context.tables[map[n]]`, or null without contexts. */
  readonly mode2: readonly FreqTable[] | null;
  /** The decoder's lookups of `mode1` and `mode2`, index by index. */
  readonly decode1: readonly DecodeTable[];
  readonly decode2: readonly DecodeTable[] | null;
  /** Mode 0: `K` and `bits` of each index's plane. */
  readonly k: Uint16Array;
  readonly bits: Uint8Array;
  /** Mode 3's tables (§6.7), null until {@link tansOf} first needs them. */
  tans: TansTables | null;
}

const cache = new WeakMap<Profile, Coding>();
// One DecodeTable per FreqTable, shared by the indices (and modes) that use it.
const decodeTables = new WeakMap<FreqTable, DecodeTable>();

function decodeTablesOf(tables: readonly FreqTable[]): DecodeTable[] {
  return tables.map((t) => {
    let d = decodeTables.get(t);
    if (d === undefined) decodeTables.set(t, (d = makeDecodeTable(t)));
    return d;
  });
}

/** The coding data of `profile`, built on first use. */
export function codingOf(profile: Profile): Coding {
  let c = cache.get(profile);
  if (c === undefined) {
    const n = profile.gridLength;
    const G = profile.planes.length;
    const mode1: FreqTable[] = [];
    const k = new Uint16Array(n);
    const bits = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const g = i % G;
      mode1.push(profile.prior[g]!);
      k[i] = profile.planes[g]!.k;
      bits[i] = profile.planes[g]!.bits;
    }
    const ctx = profile.context;
    const mode2 = ctx ? Array.from(ctx.map, (t) => ctx.tables[t]!) : null;
    const decode1 = decodeTablesOf(mode1);
    const decode2 = mode2 ? decodeTablesOf(mode2) : null;
    c = { crcState: crc8Begin(profile.sha256), mode1, mode2, decode1, decode2, k, bits, tans: null };
    cache.set(profile, c);
  }
  return c;
}

/**
 * The mode-3 tables of `profile` (§6.7), kept in its coding data but built on first use: they take
 * `G * 2^R` states (up to 768 KiB for eight planes of K = 4096) that profiles never coded in mode
 * 3 should not pay for. Pass the coding data when the caller already holds it.
 */
export function tansOf(profile: Profile, coding: Coding = codingOf(profile)): TansTables {
  return (coding.tans ??= makeTansTables(profile.prior.map((p) => p.freq)));
}
