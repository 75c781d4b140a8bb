import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeTansTables, maxTansBody, normalise, spread, tableLog, tansCosts, tansDecode, tansEncode, type TansTables } from './_tans.js';
import { fitFrequencies } from './_freq.js';
import { errorCode } from './_testing.js';
import { refTansEncode } from './_reference.js';

/** 1..8 planes of 2..4096 symbols, skewed or flat, and a grid length. */
const setup = fc
  .record({
    planes: fc.array(fc.record({ k: fc.oneof(fc.integer({ min: 2, max: 300 }), fc.constantFrom(2, 3, 64, 1000, 4096)), skew: fc.double({ min: 0, max: 3, noNaN: true }), seed: fc.nat() }), {
      minLength: 1,
      maxLength: 8,
    }),
    n: fc.integer({ min: 1, max: 80 }),
    seed: fc.nat(),
  })
  .map(({ planes, n, seed }) => {
    const freqs = planes.map(({ k, skew, seed: s }) => fitFrequencies(Array.from({ length: k }, (_, i) => 1 / (((i * 7919 + s) % k) + 1) ** skew)));
    let x = seed;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const G = freqs.length;
    const grid = Uint16Array.from({ length: n }, (_, i) => Math.floor(rand() * freqs[i % G]!.length));
    return { freqs, grid, rand };
  });

const tablesCache = new WeakMap<object, TansTables>();
function tablesOf(freqs: Uint16Array[]): TansTables {
  let t = tablesCache.get(freqs);
  if (t === undefined) tablesCache.set(freqs, (t = makeTansTables(freqs)));
  return t;
}

function encode(grid: Uint16Array, t: TansTables): Uint8Array {
  const out = new Uint8Array(maxTansBody(grid.length, t.log));
  return out.slice(0, tansEncode(grid, t, out, 0));
}

function decode(body: Uint8Array, t: TansTables, n: number): number[] | string {
  const grid = new Uint16Array(n);
  const code = errorCode(() => tansDecode(body, 0, body.length, t, n, grid));
  return code === 'ok' ? Array.from(grid) : code;
}

describe('table ANS (§6.7)', () => {
  it('tableLog: max(9, bits + 2)', () => {
    expect(tableLog([2])).toBe(9);
    expect(tableLog([64, 64])).toBe(9);
    expect(tableLog([128, 5])).toBe(9);
    expect(tableLog([256])).toBe(10);
    expect(tableLog([512])).toBe(11);
    expect(tableLog([513])).toBe(12);
    expect(tableLog([5, 4096])).toBe(14);
  });

  it('normalise: every entry >= 1, sum 2^R, rounding then the largest entries corrected', () => {
    const f = fitFrequencies([1, 1, 1, 1, 1, 1, 1, 1, 1000]);
    const norm = normalise(f, 11);
    expect(norm.reduce((a, b) => a + b, 0)).toBe(2048);
    for (const v of norm) expect(v).toBeGreaterThanOrEqual(1);
    // 2^15 split 1000:8 of 1008... rounded half up: the small ones round to their share, the
    // largest takes the remainder.
    const rounded = Array.from(f, (v) => Math.max(1, (v + 8) >> 4));
    expect(Array.from(norm.subarray(0, 8))).toEqual(rounded.slice(0, 8));
    expect(normalise(Uint16Array.of(16384, 16384), 11)).toEqual(Uint16Array.of(1024, 1024));
    // Many tiny entries round up to 1 and the largest pays for them.
    const tiny = new Uint16Array(4096).fill(1);
    tiny[0] = 32768 - 4095;
    const nt = normalise(tiny, 14);
    expect(nt[0]).toBe(16384 - 4095);
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4096 }), fc.double({ min: 0, max: 4, noNaN: true }), (k, skew) => {
        const R = tableLog([k]);
        const n = normalise(fitFrequencies(Array.from({ length: k }, (_, i) => 1 / (i + 1) ** skew)), R);
        expect(n.reduce((a, b) => a + b, 0)).toBe(1 << R);
        expect(Math.min(...n)).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });

  it('spread: each symbol f\'[s] times, every state once', () => {
    const norm = normalise(fitFrequencies([5, 1, 30, 2, 9]), 11);
    const sym = spread(norm, 11);
    const count = new Array(5).fill(0);
    for (const s of sym) count[s]++;
    expect(count).toEqual(Array.from(norm));
    // Symbol 0 first: states 0, 1283 (the step, 1024 + 256 + 3), 2566 mod 2048 = 518, ...
    expect([sym[0], sym[1283], sym[518]]).toEqual([0, 0, 0]);
  });

  it('round-trips, and matches an encoder derived from the decoding rule alone', () => {
    fc.assert(
      fc.property(setup, ({ freqs, grid }) => {
        const t = tablesOf(freqs);
        const body = encode(grid, t);
        expect(body.length).toBeLessThanOrEqual(maxTansBody(grid.length, t.log));
        expect(Array.from(body)).toEqual(Array.from(refTansEncode(grid, freqs)));
        expect(decode(body, t, grid.length)).toEqual(Array.from(grid));
        const costs = tansCosts(grid, t);
        expect(costs[grid.length - 1]).toBe(0);
        expect(Math.ceil((t.log + costs.reduce((a, b) => a + b, 0)) / 8)).toBe(body.length);
      }),
      { numRuns: 150 },
    );
  });

  it('one index: the body is the canonical state in R bits', () => {
    const freqs = [fitFrequencies([3, 1, 7])];
    const t = makeTansTables(freqs);
    expect(t.log).toBe(9);
    for (let s = 0; s < 3; s++) {
      const body = encode(Uint16Array.of(s), t);
      expect(body.length).toBe(2);
      expect(decode(body, t, 1)).toEqual([s]);
      expect(((body[0]! << 8) | body[1]!) >> 7).toBe(spread(t.norm.subarray(0, 3), 9).indexOf(s));
    }
  });

  it('every other body fails: truncation, trailing bytes, final state, padding (§6.7.5)', () => {
    fc.assert(
      fc.property(setup, ({ freqs, grid }) => {
        const t = tablesOf(freqs);
        const body = encode(grid, t);
        for (let cut = 0; cut < body.length; cut++) expect(decode(body.subarray(0, cut), t, grid.length)).toBe('E_TRUNCATED');
        expect(decode(Uint8Array.from([...body, 0]), t, grid.length)).toBe('E_TRAILING');
        expect(decode(Uint8Array.from([...body, 0x80, 1]), t, grid.length)).toBe('E_TRAILING');
        const bits = t.log + tansCosts(grid, t).reduce((a, b) => a + b, 0);
        if (bits % 8 !== 0) {
          const padded = body.slice();
          padded[padded.length - 1]! |= 1;
          expect(decode(padded, t, grid.length)).toBe('E_PADDING');
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a final state other than the lowest of its symbol is E_NONCANONICAL', () => {
    const freqs = [fitFrequencies([10, 3, 1, 7])];
    const t = makeTansTables(freqs);
    const sym = t.symbol;
    for (let s = 0; s < 4; s++) {
      const states = sym.reduce<number[]>((a, v, u) => (v === s ? [...a, u] : a), []);
      expect(states[0]).toBe(t.states[t.cum[s]!]);
      for (const u of states.slice(1, 4)) {
        const body = Uint8Array.of(u >> 1, (u & 1) << 7); // one index: the state (R = 9) is the body
        expect(decode(body, t, 1)).toBe('E_NONCANONICAL');
      }
    }
  });

  it('random bodies decode to a grid that re-encodes to the same bytes, or fail with a body code', () => {
    fc.assert(
      fc.property(setup, fc.uint8Array({ minLength: 0, maxLength: 200 }), ({ freqs, grid }, body) => {
        const t = tablesOf(freqs);
        const got = decode(body, t, grid.length);
        if (typeof got === 'string') expect(['E_TRUNCATED', 'E_TRAILING', 'E_NONCANONICAL', 'E_PADDING']).toContain(got);
        else expect(Array.from(encode(Uint16Array.from(got), t))).toEqual(Array.from(body));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes from an offset into a larger buffer, reading nothing past `end`', () => {
    const freqs = [fitFrequencies([5, 1, 30, 2, 9]), fitFrequencies([1, 2])];
    const t = makeTansTables(freqs);
    const grid = Uint16Array.of(2, 1, 0, 0, 4, 1, 3);
    const body = encode(grid, t);
    const buf = Uint8Array.from([0xff, 0xff, ...body, 0xff, 0xff, 0xff]);
    const out = new Uint16Array(7);
    tansDecode(buf, 2, 2 + body.length, t, 7, out);
    expect(Array.from(out)).toEqual(Array.from(grid));
    expect(errorCode(() => tansDecode(buf, 2, 1 + body.length, t, 7, out))).toBe('E_TRUNCATED');
  });
});
