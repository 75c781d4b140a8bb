/**
 * Several faults at once: profile files, batch envelopes and encoder requests with a random set of
 * defects must fail with the code of the first one in the order of spec/CONFORMANCE.md
 * "Precedence of checks". Each fault below is one defect that leaves every check before its own
 * untouched (it may break later ones: that is what the order is for).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBatch } from './batch.js';
import { encodeGrid } from './payload.js';
import { profileBody, profileFile, readProfile } from './profile.js';
import { MsgFloat, writeMsgpack, type MsgInput } from './_msgpack.js';
import { errorCode, makeRng, makeTestProfile, sampleGrid } from './_testing.js';
import type { ErrorCode } from './errors.js';
import type { Extensions } from './extensions.js';

type Obj = Record<string, MsgInput | undefined>;

/** One defect: its code and how to put it into a body (or request) being built. */
interface Fault<T> {
  name: string;
  code: ErrorCode | 'ok';
  apply(target: T): void;
}

/** The code of the first fault of `chosen` (indexes into a list in check order), or 'ok' (no fault). */
function firstCode<T>(faults: readonly Fault<T>[], chosen: readonly number[]): ErrorCode | 'ok' {
  return chosen.length === 0 ? 'ok' : faults[Math.min(...chosen)]!.code;
}

/**
 * The two tests of a fault list: each fault alone gives its own code (so each is a real fault),
 * and any 1 to 5 of them together the code of the first. `run` builds the input with the faults
 * given (indexes into `faults`) and returns its code, or 'ok'.
 */
function itReportsTheFirst<T>(faults: readonly Fault<T>[], run: (chosen: readonly number[]) => string): void {
  it('each fault alone gives its own code', () => {
    expect(run([])).toBe('ok');
    for (let i = 0; i < faults.length; i++) expect(run([i]), faults[i]!.name).toBe(faults[i]!.code);
  });

  it('several faults give the code of the first', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(faults.length - 1), { minLength: 1, maxLength: 5 }), (chosen) => {
        expect(run(chosen), chosen.map((i) => faults[i]!.name).join(', ')).toBe(firstCode(faults, chosen));
      }),
      { numRuns: 400 },
    );
  });
}

const u16 = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);
const plus = (bin: Uint8Array, byte: number) => Uint8Array.of(...bin, byte);

describe('profile file: several faults give the first in check order', () => {
  // G = 3 planes (K = 2, 7, 300), one context table per index: every key of §10.2 is present.
  const base = makeTestProfile({ id: 4, h: 3, w: 2, k: [2, 7, 300], dim: [1, 2, 3], seed: 14, context: true });
  const encoder = { file: 'e.onnx', sha256: new Uint8Array(32), mean: new MsgFloat(0.5), std: new MsgFloat(0.25) };
  const at = (body: Obj, key: string) => body[key] as Obj;
  const ctx = (body: Obj) => at(body, 'context') as { tables: Uint8Array[]; plane: Uint8Array; map: Uint8Array };
  // In check order (spec/CONFORMANCE.md, "Profile file", step 6).
  const faults: Fault<Obj>[] = [
    { name: 'format', code: 'E_PROFILE_FORMAT', apply: (b) => void (b.format = 'facevq') },
    { name: 'version 1.0', code: 'E_PROFILE_FORMAT', apply: (b) => void (b.version = new MsgFloat(1)) },
    { name: 'id 16', code: 'E_PROFILE_FORMAT', apply: (b) => void (b.id = 16) },
    { name: 'name of 33 bytes', code: 'E_PROFILE_FORMAT', apply: (b) => void (b.name = 'n'.repeat(33)) },
    { name: 'h = 33', code: 'E_PROFILE_LIMIT', apply: (b) => void (at(b, 'grid').h = 33) },
    { name: 'w 2.0', code: 'E_PROFILE_FORMAT', apply: (b) => void (at(b, 'grid').w = new MsgFloat(2)) },
    { name: 'dim one entry long', code: 'E_PROFILE_FORMAT', apply: (b) => void (at(b, 'grid').dim = [1, 2, 3, 4]) },
    { name: 'K_1 = 1', code: 'E_PROFILE_LIMIT', apply: (b) => void (at(b, 'grid').k = [2, 1, 300]) },
    { name: 'maxBytes 1025', code: 'E_PROFILE_LIMIT', apply: (b) => void (b.maxBytes = 1025) },
    { name: 'codebook 2 of 1 byte', code: 'E_PROFILE_FORMAT', apply: (b) => void ((b.codebooks as Uint8Array[])[2] = new Uint8Array(1)) },
    { name: 'prior 0 with a zero', code: 'E_PROFILE_TABLE', apply: (b) => void ((b.prior as Uint8Array[])[0] = u16([0, 32768])) },
    { name: 'prior 2 of odd length', code: 'E_PROFILE_FORMAT', apply: (b) => void ((b.prior as Uint8Array[])[2] = plus((b.prior as Uint8Array[])[2]!, 0)) },
    { name: 'map of odd length', code: 'E_PROFILE_FORMAT', apply: (b) => void (ctx(b).map = plus(ctx(b).map, 0)) },
    { name: 'table 0 with a zero', code: 'E_PROFILE_TABLE', apply: (b) => void (ctx(b).tables[0] = u16([0, 32768])) },
    { name: 'map[17] names no table', code: 'E_PROFILE_TABLE', apply: (b) => ctx(b).map.set([0xff, 0xff], 34) },
    { name: 'head.dim a str', code: 'E_PROFILE_FORMAT', apply: (b) => void (at(b, 'head').dim = 'x') },
    { name: '17 head layers', code: 'E_PROFILE_LIMIT', apply: (b) => void (at(b, 'head').layers = Array.from({ length: 17 }, () => ({ op: 'relu' }))) },
    { name: 'far1e3 a str', code: 'E_PROFILE_FORMAT', apply: (b) => void (at(b, 'thresholds').far1e3 = 'x') },
    { name: 'channels 4', code: 'E_PROFILE_FORMAT', apply: (b) => void (at(b, 'crop').channels = 4) },
    { name: 'encoder.mean per channel', code: 'E_PROFILE_FORMAT', apply: (b) => void (b.encoder = { ...encoder, mean: [1, 2, 3] }) },
    { name: 'meta an array', code: 'E_PROFILE_FORMAT', apply: (b) => void (b.meta = [1]) },
  ];
  const read = (chosen: readonly number[]) => {
    const body = profileBody(base.input) as Obj;
    body.encoder = { ...encoder };
    for (const i of [...chosen].sort((a, b) => a - b)) faults[i]!.apply(body);
    return errorCode(() => readProfile(profileFile(body as MsgInput)));
  };
  itReportsTheFirst(faults, read);
});

describe('batch envelope: several faults give the first in check order', () => {
  type IdFault = 'none' | 'not a str' | 'empty' | 'too long' | 'repeats the previous';
  type PayloadFault = 'none' | 'not a bin' | 'empty' | 'too large';
  /** `common` most of the time, else one of `rare`: most items and envelopes reach the later checks. */
  const mostly = <T>(common: T, ...rare: T[]) => fc.oneof({ arbitrary: fc.constant(common), weight: 2 * rare.length }, ...rare.map((r) => ({ arbitrary: fc.constant(r), weight: 1 })));
  const item = fc.record({
    id: mostly<IdFault>('none', 'not a str', 'empty', 'too long', 'repeats the previous'),
    payload: mostly<PayloadFault>('none', 'not a bin', 'empty', 'too large'),
  });
  const envelope = fc.record({
    v: mostly<MsgInput | undefined>(1, 2, new MsgFloat(1), undefined),
    over1000: mostly(false, true),
    items: fc.array(item, { minLength: 1, maxLength: 6 }),
  });

  /** §11 step 5 for one item whose earlier items all passed. */
  function itemCode(it: { id: IdFault; payload: PayloadFault }): ErrorCode | 'ok' {
    if (it.id === 'not a str' || it.payload === 'not a bin') return 'E_BATCH_FORMAT';
    if (it.id === 'empty') return 'E_BATCH_FORMAT';
    if (it.id === 'too long') return 'E_BATCH_LIMIT';
    if (it.payload === 'empty') return 'E_BATCH_FORMAT';
    if (it.payload === 'too large') return 'E_TOO_LARGE';
    return it.id === 'repeats the previous' ? 'E_BATCH_FORMAT' : 'ok';
  }

  it('reports the envelope first, then the first item with a fault, its first fault', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const items = e.items.map((it, i) => ({
          id: { none: `id${i}`, 'not a str': 7, empty: '', 'too long': 'i'.repeat(129), 'repeats the previous': `id${i - 1}` }[it.id],
          payload: { none: Uint8Array.of(0x14, 1, 2), 'not a bin': 'payload', empty: new Uint8Array(0), 'too large': new Uint8Array(1025) }[it.payload],
        }));
        if (items[0]!.id === 'id-1') items[0]!.id = 'id0'; // the first item has no previous one
        const padding = e.over1000 ? Array.from({ length: 1001 - items.length }, (_, i) => ({ id: `pad${i}`, payload: Uint8Array.of(1) })) : [];
        const bytes = writeMsgpack({ ...(e.v !== undefined && { v: e.v }), items: [...items, ...padding] });
        const expected =
          e.v !== 1 ? 'E_BATCH_FORMAT'
          : e.over1000 ? 'E_BATCH_LIMIT'
          : (e.items.map((it, i) => (i === 0 && it.id === 'repeats the previous' ? { ...it, id: 'none' as const } : it)).map(itemCode).find((c) => c !== 'ok') ?? 'ok');
        expect(errorCode(() => decodeBatch(bytes))).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encoder: several faults give the first in check order', () => {
  const { profile } = makeTestProfile({ id: 1, h: 2, w: 2, k: 5, dim: 2, seed: 11 }); // no contexts
  const grid = sampleGrid(profile, makeRng(5), 1);
  const bytes = (n: number) => new Uint8Array(n).fill(0x5a);
  interface Request {
    grid: number[];
    mode: 'auto' | 2;
    extensions: Required<Pick<Extensions, 'unknown'>> & Extensions;
  }
  // In check order (spec/CONFORMANCE.md, "Encoder").
  const faults: Fault<Request>[] = [
    { name: 'grid one short', code: 'E_GRID', apply: (r) => void r.grid.pop() },
    { name: 'index 5 for K = 5', code: 'E_GRID', apply: (r) => void (r.grid[0] = 5) },
    { name: 'mode 2 without contexts', code: 'E_MODE', apply: (r) => void (r.mode = 2) },
    { name: 'nonce of 17 bytes', code: 'E_EXT_MALFORMED', apply: (r) => void (r.extensions.nonce = bytes(17)) },
    { name: 'unknown type 3', code: 'E_EXT_MALFORMED', apply: (r) => void r.extensions.unknown.push({ type: 3, value: bytes(1) }) },
    // Sorts after type 9 below: every value is checked before any repeat, whatever the types.
    { name: 'type 0x50 with 256 bytes', code: 'E_EXT_MALFORMED', apply: (r) => void r.extensions.unknown.push({ type: 0x50, value: bytes(256) }) },
    { name: 'type 9 twice', code: 'E_EXT_DUPLICATE', apply: (r) => void r.extensions.unknown.push({ type: 9, value: bytes(1) }, { type: 9, value: bytes(2) }) },
    { name: 'N over 255', code: 'E_EXT_MALFORMED', apply: (r) => void r.extensions.unknown.push({ type: 0x30, value: bytes(255) }) },
    { name: 'over maxBytes', code: 'E_OVER_BOUND', apply: (r) => void r.extensions.unknown.push({ type: 0x40, value: bytes(profile.maxBytes) }) },
  ];
  const encode = (chosen: readonly number[]) => {
    const r: Request = { grid: Array.from(grid), mode: 'auto', extensions: { unknown: [] } };
    for (const i of chosen) faults[i]!.apply(r);
    return errorCode(() => encodeGrid(r.grid, profile, { mode: r.mode, extensions: r.extensions }));
  };
  itReportsTheFirst(faults, encode);
});
