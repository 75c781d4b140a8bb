import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeGrid, decodeGridInto, encodeGrid, idealBits, inspectPayload, type Mode } from './payload.js';
import { LIMITS, type Profile } from './profile.js';
import { ProfileSet } from './profile-set.js';
import { makeRng, makeTestProfile, sampleGrid, uniformGrid, errorCode as code } from './_testing.js';
import { refCrc8, refPack, refRangeEncode, refTansEncode } from './_reference.js';
import { FacevqError } from './errors.js';
import type { Extensions } from './extensions.js';

/** A payload from its parts, with the check byte of §3 computed bit by bit. */
function assemble(profile: Profile, b0: number, rest: number[] | Uint8Array, b1 = (profile.id << 4) | profile.tag): Uint8Array {
  const check = refCrc8([...profile.sha256, b0, b1, ...rest]);
  return Uint8Array.from([b0, b1, check, ...rest]);
}

/** §5, §6 and §6.7 from the reference transcription: the body of `grid` in `mode`. */
function refBody(grid: ArrayLike<number>, profile: Profile, mode: Mode): Uint8Array {
  const G = profile.planes.length;
  if (mode === 0) return refPack(grid, Array.from(grid, (_, n) => profile.planes[n % G]!.bits));
  if (mode === 3) return refTansEncode(grid, profile.prior.map((t) => t.freq));
  const tables = Array.from(grid, (_, n) => (mode === 2 ? profile.context!.tables[profile.context!.map[n]!]! : profile.prior[n % G]!));
  return refRangeEncode(grid, tables);
}

// Small profiles covering one and several planes, odd K, contexts.
const profiles = [
  makeTestProfile({ id: 0, h: 2, w: 2, k: 5, dim: 2, seed: 1, maxBytes: 1024 }),
  makeTestProfile({ id: 1, h: 3, w: 2, k: [16, 7], dim: [2, 3], seed: 2, context: true, maxBytes: 1024 }),
  makeTestProfile({ id: 2, h: 4, w: 4, k: 512, dim: 4, seed: 3, context: true, maxBytes: 1024 }),
  makeTestProfile({ id: 3, h: 1, w: 1, k: [4096, 2, 300], dim: 1, seed: 4, context: true, maxBytes: 1024 }),
].map((t) => t.profile);
const set = new ProfileSet(profiles);
const p8 = makeTestProfile({ id: 5, h: 8, w: 8, k: 512, dim: 4, seed: 11, context: true, maxBytes: 80 }).profile;

const extensionsArb: fc.Arbitrary<Extensions | undefined> = fc.option(
  fc.record(
    {
      captureTime: fc.nat({ max: 2 ** 32 - 1 }),
      nonce: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      keyId: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      authTag: fc.uint8Array({ minLength: 4, maxLength: 16 }),
      unknown: fc.uniqueArray(fc.record({ type: fc.integer({ min: 5, max: 0x7f }), value: fc.uint8Array({ maxLength: 6 }) }), {
        selector: (e) => e.type,
        maxLength: 3,
      }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const caseArb = fc
  .record({
    which: fc.nat({ max: profiles.length - 1 }),
    seed: fc.nat(),
    uniform: fc.boolean(),
    mode: fc.constantFrom<'auto' | Mode>('auto', 0, 1, 2, 3),
    fast: fc.boolean(),
    extensions: extensionsArb,
  })
  .map((c) => (c.mode === 2 && !profiles[c.which]!.context ? { ...c, mode: 1 as const } : c));

/** Encoder options of a case: `fast` only where it matters, in auto mode. */
const optionsOf = (c: { mode: 'auto' | Mode; fast: boolean; extensions: Extensions | undefined }) => ({
  mode: c.mode,
  ...(c.mode === 'auto' && c.fast && { fast: true }),
  ...(c.extensions && { extensions: c.extensions }),
});

function makeCase(c: { which: number; seed: number; uniform: boolean; mode: 'auto' | Mode }) {
  const profile = profiles[c.which]!;
  const rng = makeRng(c.seed);
  const grid = c.uniform ? uniformGrid(profile, rng) : sampleGrid(profile, rng, c.mode === 2 ? 2 : 1);
  return { profile, grid };
}

/** The extensions a decoder reports for what an encoder was given (empty unknown lists vanish). */
function reported(ext: Extensions | undefined): Extensions {
  const out: Extensions = { ...ext };
  if (out.unknown !== undefined) {
    if (out.unknown.length === 0) delete out.unknown;
    else out.unknown = [...out.unknown].sort((a, b) => a.type - b.type);
  }
  return out;
}

describe('encodeGrid / decodeGrid (§2 to §7)', () => {
  it('round-trips any grid, mode and extensions, byte for byte as the reference layout', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { profile, grid } = makeCase(c);
        const bytes = encodeGrid(grid, profile, optionsOf(c));
        const d = decodeGrid(bytes, set);
        expect(Array.from(d.grid)).toEqual(Array.from(grid));
        expect(d.profile).toBe(profile);
        expect(d.extensions).toEqual(reported(c.extensions));
        if (c.mode !== 'auto') expect(d.mode).toBe(c.mode);
        // Independent layout: header bits, extension block, reference body, bitwise CRC.
        const ext = bytes.subarray(3, bytes.length - d.bodyBytes);
        const b0 = 0x10 | (d.mode << 2) | (ext.length > 0 ? 2 : 0);
        expect(bytes).toEqual(assemble(profile, b0, [...ext, ...refBody(grid, profile, d.mode)]));
        // The auto rule of §7.
        if (c.mode === 'auto') {
          const mode = c.fast ? 3 : 1;
          expect(d.mode).toBe(refBody(grid, profile, mode).length > profile.fixedBodyBytes ? 0 : mode);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('auto mode uses contexts when asked, and never exceeds B0 for the body', () => {
    const rng = makeRng(9);
    for (let i = 0; i < 200; i++) {
      const grid = i % 2 ? uniformGrid(p8, rng) : sampleGrid(p8, rng, 2);
      const bytes = encodeGrid(grid, p8, { contexts: true });
      const d = decodeGrid(bytes, p8);
      expect(d.bodyBytes).toBeLessThanOrEqual(p8.fixedBodyBytes);
      expect(d.mode === 2 || d.mode === 0).toBe(true);
      expect(bytes.length).toBeLessThanOrEqual(p8.maxBytes);
    }
  });

  it('auto mode with fast: mode 3, over contexts, or mode 0 past B0 (§7)', () => {
    const rng = makeRng(10);
    const modes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const grid = i % 2 ? uniformGrid(p8, rng) : sampleGrid(p8, rng);
      const d = decodeGrid(encodeGrid(grid, p8, { fast: true, contexts: true }), p8);
      expect(d.bodyBytes).toBeLessThanOrEqual(p8.fixedBodyBytes);
      modes.add(d.mode);
    }
    expect([...modes].sort()).toEqual([0, 3]);
  });

  it('mode 3 at the limits of §14: K = 4096, G = 8, a grid of one index, 1024 indices', () => {
    const big = makeTestProfile({ id: 6, h: 1, w: 1, k: [4096, 2, 3, 4096, 300, 64, 1000, 7], dim: 1, seed: 6, maxBytes: 1024 }).profile;
    const one = makeTestProfile({ id: 7, h: 1, w: 1, k: 5, dim: 1, seed: 7, maxBytes: 1024 }).profile;
    const wide = makeTestProfile({ id: 8, h: 32, w: 32, k: 128, dim: 1, seed: 8, maxBytes: 1024 }).profile; // B0 = 896
    const rng = makeRng(11);
    for (const p of [big, one, wide]) {
      for (const grid of [sampleGrid(p, rng), uniformGrid(p, rng), new Uint16Array(p.gridLength)]) {
        let bytes: Uint8Array;
        try {
          bytes = encodeGrid(grid, p, { mode: 3 });
        } catch (e) {
          expect((e as FacevqError).code).toBe('E_OVER_BOUND'); // a uniform grid can exceed 1024 bytes
          continue;
        }
        expect(Array.from(decodeGrid(bytes, p).grid)).toEqual(Array.from(grid));
        expect(bytes.subarray(3)).toEqual(refBody(grid, p, 3));
      }
    }
  });

  it('keeps decoded grids intact across many decodes (pooled storage)', () => {
    const rng = makeRng(3);
    const grids = Array.from({ length: 600 }, () => sampleGrid(p8, rng));
    const decoded = grids.map((g) => decodeGrid(encodeGrid(g, p8), p8).grid);
    decoded.forEach((d, i) => expect(Array.from(d)).toEqual(Array.from(grids[i]!)));
  });

  it('encoder errors: E_GRID, E_MODE, E_OVER_BOUND, E_EXT_*', () => {
    const p = profiles[0]!;
    expect(code(() => encodeGrid([0, 0, 0], p))).toBe('E_GRID');
    expect(code(() => encodeGrid([0, 0, 0, 5], p))).toBe('E_GRID');
    expect(code(() => encodeGrid([0, 0, 0, -1], p))).toBe('E_GRID');
    expect(code(() => encodeGrid([0, 0, 0, 1.5], p))).toBe('E_GRID');
    expect(code(() => encodeGrid([0, 0, 0, 0], p, { mode: 2 }))).toBe('E_MODE');
    expect(code(() => encodeGrid([0, 0, 0, 5], p, { mode: 3 }))).toBe('E_GRID');
    const tight = makeTestProfile({ h: 2, w: 2, k: 16, seed: 5, maxBytes: 5 }).profile; // 3 + B0 = 5
    expect(code(() => encodeGrid([1, 2, 3, 4], tight, { mode: 0 }))).toBe('ok');
    expect(code(() => encodeGrid([1, 2, 3, 4], tight, { extensions: { captureTime: 1 } }))).toBe('E_OVER_BOUND');
    expect(code(() => encodeGrid([1, 2, 3, 4], p, { extensions: { nonce: new Uint8Array(17) } }))).toBe('E_EXT_MALFORMED');
    expect(code(() => encodeGrid([1, 2, 3, 4], p, { extensions: { captureTime: 2 ** 32 } }))).toBe('E_EXT_MALFORMED');
    expect(code(() => encodeGrid([1, 2, 3, 4], p, { extensions: { unknown: [{ type: 4, value: new Uint8Array(0) }] } }))).toBe('E_EXT_MALFORMED');
    expect(code(() => encodeGrid([1, 2, 3, 4], p, { extensions: { unknown: [{ type: 9, value: new Uint8Array(0) }, { type: 9, value: new Uint8Array(0) }] } }))).toBe('E_EXT_DUPLICATE');
    expect(code(() => encodeGrid([1, 2, 3, 4], p, { extensions: { unknown: [{ type: 9, value: new Uint8Array(200) }, { type: 10, value: new Uint8Array(60) }] } }))).toBe('E_EXT_MALFORMED');
    // A forced mode may exceed maxBytes: it fails rather than send.
    const rng = makeRng(1);
    let over = 0;
    for (let i = 0; i < 50; i++) over += code(() => encodeGrid(uniformGrid(p8, rng), p8, { mode: 1 })) === 'E_OVER_BOUND' ? 1 : 0;
    expect(over).toBeGreaterThan(0);
    over = 0;
    for (let i = 0; i < 50; i++) over += code(() => encodeGrid(uniformGrid(p8, rng), p8, { mode: 3 })) === 'E_OVER_BOUND' ? 1 : 0;
    expect(over).toBeGreaterThan(0);
  });

  it('an empty extension set writes no block', () => {
    const p = profiles[0]!;
    expect(encodeGrid([1, 2, 3, 4], p, { extensions: {} })).toEqual(encodeGrid([1, 2, 3, 4], p));
    expect(encodeGrid([1, 2, 3, 4], p, { extensions: { unknown: [] } })[0]! & 2).toBe(0);
  });
});

describe('decodeGrid rejections (§8 order, §9 codes)', () => {
  const p = profiles[0]!; // 2x2, K = 5: 3 bits an index, B0 = 2
  const good = encodeGrid([1, 2, 3, 4], p, { mode: 0 });
  const body0 = Array.from(good.subarray(3));

  it('step 1: size', () => {
    expect(code(() => decodeGrid(new Uint8Array(0), p))).toBe('E_EMPTY');
    expect(code(() => decodeGrid(new Uint8Array(1025).fill(0xff), p))).toBe('E_TOO_LARGE');
    expect(code(() => decodeGrid(Uint8Array.of(0xff, 0xff), p))).toBe('E_TRUNCATED');
    expect(code(() => decodeGrid(Uint8Array.of(0x10), p))).toBe('E_TRUNCATED');
  });

  it('step 2: version, then reserved; every mode is defined', () => {
    expect(code(() => decodeGrid(Uint8Array.of(0x2f, 0xff, 0), p))).toBe('E_VERSION');
    expect(code(() => decodeGrid(Uint8Array.of(0x0c, 0, 0), p))).toBe('E_VERSION');
    expect(code(() => decodeGrid(Uint8Array.of(0x1f, 0xff, 0), p))).toBe('E_RESERVED');
    expect(code(() => decodeGrid(Uint8Array.of(0x1e, 0xff, 0), p))).toBe('E_PROFILE_UNKNOWN');
  });

  it('step 3: profile id, then tag, then mode 2 without contexts', () => {
    const other = (p.id + 1) << 4;
    expect(code(() => decodeGrid(Uint8Array.of(0x18, other | ((p.tag + 1) & 15), 0), p))).toBe('E_PROFILE_UNKNOWN');
    expect(code(() => decodeGrid(Uint8Array.of(0x18, (p.id << 4) | ((p.tag + 1) & 15), 0), p))).toBe('E_PROFILE_HASH');
    expect(code(() => decodeGrid(Uint8Array.of(0x18, (p.id << 4) | p.tag, 0), p))).toBe('E_MODE');
    expect(code(() => decodeGrid(Uint8Array.of(0x18, 0x90, 0), set))).toBe('E_PROFILE_UNKNOWN');
  });

  it('step 4: extension block rules, in order (§4)', () => {
    const x = (block: number[], body = body0) => code(() => decodeGrid(assemble(p, 0x12, [...block, ...body]), p));
    expect(code(() => decodeGrid(assemble(p, 0x12, []), p))).toBe('E_TRUNCATED'); // no N
    expect(x([0])).toBe('E_EXT_MALFORMED'); // N = 0
    expect(x([200], [])).toBe('E_TRUNCATED'); // N past the end
    expect(x([1, 5])).toBe('E_EXT_MALFORMED'); // T without L
    expect(x([3, 5, 2, 0])).toBe('E_EXT_MALFORMED'); // value past the block
    expect(x([2, 0, 0])).toBe('E_EXT_MALFORMED'); // type 0
    expect(x([4, 5, 0, 5, 0])).toBe('E_EXT_DUPLICATE');
    expect(x([4, 6, 0, 5, 0])).toBe('E_EXT_ORDER');
    expect(x([5, 2, 1, 9, 2, 0])).toBe('E_EXT_DUPLICATE'); // rule 3 before rule 4 (length 0 is bad for a nonce)
    expect(x([2, 2, 0])).toBe('E_EXT_MALFORMED'); // nonce of length 0
    expect(x([5, 1, 3, 1, 2, 3])).toBe('E_EXT_MALFORMED'); // capture time of length 3
    expect(x([19, 2, 17, ...new Array(17).fill(1)])).toBe('E_EXT_MALFORMED'); // nonce of 17
    expect(x([11, 3, 9, ...new Array(9).fill(1)])).toBe('E_EXT_MALFORMED'); // key id of 9
    expect(x([5, 4, 3, 1, 2, 3])).toBe('E_EXT_MALFORMED'); // auth tag of 3
    expect(x([2, 0x80, 0])).toBe('E_EXT_CRITICAL');
    expect(x([4, 0x80, 0, 0x05, 0])).toBe('E_EXT_CRITICAL'); // rule 5 on the first entry before rule 3 on the second
    expect(x([4, 0x05, 0, 0x80, 9])).toBe('E_EXT_MALFORMED'); // rule 2 on the second entry
    const ok = decodeGrid(assemble(p, 0x12, [9, 0x01, 4, 0, 0, 1, 0, 0x7f, 1, 0xaa, ...body0]), p);
    expect(ok.extensions).toEqual({ captureTime: 256, unknown: [{ type: 0x7f, value: Uint8Array.of(0xaa) }] });
  });

  it('extensions before the mode-0 length, the length before the check, the check before the body', () => {
    expect(code(() => decodeGrid(assemble(p, 0x12, [0]), p))).toBe('E_EXT_MALFORMED');
    const badCheck = (bytes: Uint8Array) => Uint8Array.from(bytes, (b, i) => (i === 2 ? b ^ 1 : b));
    expect(code(() => decodeGrid(badCheck(assemble(p, 0x10, body0.slice(0, 1))), p))).toBe('E_TRUNCATED');
    expect(code(() => decodeGrid(badCheck(assemble(p, 0x10, [...body0, 0])), p))).toBe('E_TRAILING');
    expect(code(() => decodeGrid(badCheck(good), p))).toBe('E_CHECK');
    expect(code(() => decodeGrid(badCheck(assemble(p, 0x10, [0xff, 0xff])), p))).toBe('E_CHECK');
  });

  it('step 7, mode 0: index range in grid order, then padding', () => {
    // 4 indices of 3 bits, then 4 padding bits: iii iii ii|i iii pppp
    expect(code(() => decodeGrid(assemble(p, 0x10, [0b00100101, 0b00110000]), p))).toBe('ok');
    expect(code(() => decodeGrid(assemble(p, 0x10, [0b10100101, 0b00110001]), p))).toBe('E_INDEX_RANGE');
    expect(code(() => decodeGrid(assemble(p, 0x10, [0b00100101, 0b00110001]), p))).toBe('E_PADDING');
    try {
      decodeGrid(assemble(p, 0x10, [0b00100101, 0b01110000]), p);
    } catch (e) {
      expect((e as FacevqError).code).toBe('E_INDEX_RANGE');
      expect((e as FacevqError).bitPos).toBe(24 + 9); // the fourth index
    }
  });

  it('step 7, modes 1 and 2: range code, then canonical termination', () => {
    const q = profiles[2]!;
    const grid = sampleGrid(q, makeRng(4));
    const bytes = encodeGrid(grid, q, { mode: 1 });
    const body = Array.from(bytes.subarray(3));
    expect(code(() => decodeGrid(assemble(q, 0x14, [...body, 1]), q))).toBe('E_NONCANONICAL');
    expect(code(() => decodeGrid(assemble(q, 0x14, [...body, 0]), q))).toBe('E_NONCANONICAL');
    expect(code(() => decodeGrid(assemble(q, 0x14, [0xff, 0xff, 0xff, 0xff, ...body]), q))).toBe('E_RANGE_CODE');
    expect(code(() => decodeGrid(assemble(q, 0x18, body), q))).not.toBe('ok'); // mode 1 body read as mode 2
  });

  it('step 7, mode 3: truncation, trailing bytes, final state, padding (§6.7.5), after the check', () => {
    const q = profiles[1]!;
    const grid = sampleGrid(q, makeRng(5));
    const body = Array.from(encodeGrid(grid, q, { mode: 3 }).subarray(3));
    expect(code(() => decodeGrid(assemble(q, 0x1c, body), q))).toBe('ok');
    expect(code(() => decodeGrid(assemble(q, 0x1c, body.slice(0, -1)), q))).toBe('E_TRUNCATED');
    expect(code(() => decodeGrid(assemble(q, 0x1c, []), q))).toBe('E_TRUNCATED');
    expect(code(() => decodeGrid(assemble(q, 0x1c, [...body, 0]), q))).toBe('E_TRAILING');
    const bits = inspectPayload(assemble(q, 0x1c, body), q);
    const padding = bits.overheadBits - 9; // R = 9 for K = 16 and 7
    if (padding > 0) expect(code(() => decodeGrid(assemble(q, 0x1c, [...body.slice(0, -1), body.at(-1)! | 1]), q))).toBe('E_PADDING');
    // One index (1x1, K = 5): the body is the state in R = 9 bits; only each symbol's lowest state is canonical.
    const one = makeTestProfile({ id: 7, h: 1, w: 1, k: 5, dim: 1, seed: 7 }).profile;
    const states = Array.from({ length: 512 }, (_, u) => code(() => decodeGrid(assemble(one, 0x1c, [u >> 1, (u & 1) << 7]), one)));
    expect(states.filter((c) => c === 'ok')).toHaveLength(5);
    expect(states.filter((c) => c === 'E_NONCANONICAL')).toHaveLength(512 - 5);
    const badCheck = assemble(q, 0x1c, [...body, 0]);
    badCheck[2]! ^= 1;
    expect(code(() => decodeGrid(badCheck, q))).toBe('E_CHECK');
  });

  it('mutated and random bytes give a FacevqError or a grid that re-encodes to the same bytes', () => {
    const valid = fc
      .tuple(caseArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }), fc.integer({ min: -4, max: 4 }))
      .map(([c, edits, resize]) => {
        const { profile, grid } = makeCase(c);
        const bytes = Array.from(encodeGrid(grid, profile, optionsOf(c)));
        for (const [i, v] of edits) bytes[i % bytes.length] = v;
        if (resize > 0) bytes.push(...new Array(resize).fill(resize));
        else bytes.length = Math.max(0, bytes.length + resize);
        return Uint8Array.from(bytes);
      });
    const check = (bytes: Uint8Array) => {
      let d;
      try {
        d = decodeGrid(bytes, set);
      } catch (e) {
        if (e instanceof FacevqError) return;
        throw e;
      }
      const again = encodeGrid(d.grid, d.profile, { mode: d.mode, extensions: d.extensions });
      expect(again).toEqual(bytes);
    };
    fc.assert(fc.property(valid, check), { numRuns: 3000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), check), { numRuns: 3000 });
    // Random bodies behind a valid header and check byte: exercises the body checks themselves.
    fc.assert(
      fc.property(fc.nat({ max: profiles.length - 1 }), fc.constantFrom(0, 1, 2, 3), fc.uint8Array({ maxLength: 40 }), (w, mode, body) => {
        const prof = profiles[w]!;
        check(assemble(prof, 0x10 | (mode << 2), body));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('decodeGridInto', () => {
  it('decodes like decodeGrid into the first gridLength entries, and fails with the same code', () => {
    const UNTOUCHED = 0xbeef;
    const grid = new Uint16Array(LIMITS.gridLength);
    const payloads = fc
      .tuple(caseArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 2 }))
      .map(([c, edits]) => {
        const { profile, grid: g } = makeCase(c);
        const bytes = encodeGrid(g, profile, optionsOf(c));
        for (const [i, v] of edits) bytes[i % bytes.length] = v;
        return bytes;
      });
    fc.assert(
      fc.property(payloads, (bytes) => {
        grid.fill(UNTOUCHED);
        const expected = code(() => decodeGrid(bytes, set));
        expect(code(() => decodeGridInto(bytes, set, grid))).toBe(expected);
        if (expected !== 'ok') return;
        const d = decodeGrid(bytes, set);
        expect(decodeGridInto(bytes, set, grid)).toBe(d.profile);
        expect(Array.from(grid.subarray(0, d.grid.length))).toEqual(Array.from(d.grid));
        expect(grid.subarray(d.grid.length).every((v) => v === UNTOUCHED)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('needs a grid of at least gridLength entries', () => {
    const p = profiles[2]!;
    const bytes = encodeGrid(sampleGrid(p, makeRng(4)), p);
    expect(() => decodeGridInto(bytes, p, new Uint16Array(p.gridLength - 1))).toThrow(RangeError);
    expect(code(() => decodeGridInto(bytes, p, new Uint16Array(p.gridLength)))).toBe('ok');
  });
});

describe('idealBits and inspectPayload', () => {
  it('idealBits sums -log2 p (modes 1 and 3, 2) or the fixed widths (mode 0)', () => {
    const q = profiles[1]!;
    const grid = sampleGrid(q, makeRng(2));
    const G = q.planes.length;
    let m1 = 0, m2 = 0, m0 = 0;
    grid.forEach((s, n) => {
      m1 -= Math.log2(q.prior[n % G]!.freq[s]! / 32768);
      m2 -= Math.log2(q.context!.tables[q.context!.map[n]!]!.freq[s]! / 32768);
      m0 += q.planes[n % G]!.bits;
    });
    expect(idealBits(grid, q)).toBeCloseTo(m1, 9);
    expect(idealBits(grid, q, 2)).toBeCloseTo(m2, 9);
    expect(idealBits(grid, q, 0)).toBe(m0);
    expect(idealBits(grid, q, 3)).toBe(idealBits(grid, q, 1));
    expect(code(() => idealBits(grid, profiles[0]!, 2))).toBe('E_GRID');
    expect(code(() => idealBits([0, 0, 0, 0], profiles[0]!, 2))).toBe('E_MODE');
  });

  it('inspectPayload reports header fields and per-index costs', () => {
    const grid = sampleGrid(p8, makeRng(8));
    const bytes = encodeGrid(grid, p8, { mode: 1, extensions: { captureTime: 7 } });
    const ins = inspectPayload(bytes, set.add(p8));
    expect(ins.version).toBe(1);
    expect(ins.mode).toBe(1);
    expect(ins.hasExtensions).toBe(true);
    expect(ins.profileId).toBe(5);
    expect(ins.profileTag).toBe(p8.tag);
    expect(ins.check).toBe(bytes[2]);
    expect(ins.extensions).toEqual({ captureTime: 7 });
    expect(ins.headerBytes).toBe(3 + 7);
    expect(ins.headerBytes + ins.bodyBytes).toBe(bytes.length);
    expect(Array.from(ins.grid)).toEqual(Array.from(grid));
    expect(ins.idealBitsTotal).toBeCloseTo(idealBits(grid, p8), 9);
    expect(ins.codedBitsTotal).toBeGreaterThanOrEqual(ins.idealBitsTotal);
    expect(ins.codedBitsTotal - ins.idealBitsTotal).toBeLessThan(0.2);
    expect(ins.overheadBits).toBeGreaterThan(-8);
    expect(ins.overheadBits).toBeLessThan(33);
    const ins0 = inspectPayload(encodeGrid(grid, p8, { mode: 0 }), p8);
    expect(ins0.codedBitsTotal).toBe(64 * 9);
    expect(ins0.overheadBits).toBe(0);
    // Mode 3: whole bits per index, the last free; overhead = R bits of initial state + padding.
    const ins3 = inspectPayload(encodeGrid(grid, p8, { mode: 3 }), p8);
    expect(ins3.mode).toBe(3);
    expect(ins3.codedBits.every(Number.isInteger)).toBe(true);
    expect(ins3.codedBits[63]).toBe(0);
    expect(ins3.overheadBits).toBeGreaterThanOrEqual(11); // R = 11 for K = 512
    expect(ins3.overheadBits).toBeLessThan(11 + 8);
  });
});
