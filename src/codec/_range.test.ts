import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rangeCosts, rangeDecode, rangeEncode, terminationValue, maxRangeBody } from './_range.js';
import { fitFrequencies, makeDecodeTable, makeFreqTable, type FreqTable } from './_freq.js';
import { refRangeDecode, refRangeEncode, refStats, refTermination } from './_reference.js';
import { FacevqError } from './errors.js';

/** Random tables: 1..3 tables of 2..300 symbols, skewed or flat, and which table each index uses. */
const setup = fc
  .record({
    tables: fc.array(
      fc.record({ k: fc.integer({ min: 2, max: 300 }), skew: fc.double({ min: 0, max: 3, noNaN: true }), seed: fc.nat() }),
      { minLength: 1, maxLength: 3 },
    ),
    n: fc.integer({ min: 0, max: 80 }),
    seed: fc.nat(),
  })
  .map(({ tables, n, seed }) => {
    const made = tables.map(({ k, skew, seed: s }) =>
      makeFreqTable(fitFrequencies(Array.from({ length: k }, (_, i) => 1 / ((i * 7919 + s) % k + 1) ** skew))),
    );
    let x = seed;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const seq: FreqTable[] = Array.from({ length: n }, () => made[Math.floor(rand() * made.length)]!);
    return { seq, rand };
  });

/** A symbol drawn from the table (skewed grids) or uniformly (worst case). */
function draw(t: FreqTable, rand: () => number, uniform: boolean): number {
  if (uniform) return Math.floor(rand() * t.freq.length);
  const q = Math.floor(rand() * 32768);
  let s = 0;
  while (t.cum[s + 1]! <= q) s++;
  return s;
}

function decodeCode(body: Uint8Array, seq: FreqTable[]): number[] | string {
  const grid = new Uint16Array(seq.length);
  try {
    rangeDecode(body, 0, body.length, seq.map(makeDecodeTable), grid);
    return Array.from(grid);
  } catch (e) {
    if (e instanceof FacevqError) return e.code;
    throw e;
  }
}

describe('range coder (§6)', () => {
  it('terminationValue matches the §6.3 loop', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (low, range) => {
        expect(terminationValue(low, range)).toBe(Number(refTermination(BigInt(low), BigInt(range))));
      }),
      { numRuns: 20000 },
    );
    for (const [low, range] of [[0, 1], [1, 1], [2 ** 32 - 1, 1], [2 ** 32 - 1, 2], [2 ** 31, 2 ** 31], [5, 2 ** 32 - 6], [5, 2 ** 32 - 5]]) {
      expect(terminationValue(low!, range!)).toBe(Number(refTermination(BigInt(low!), BigInt(range!))));
    }
  });

  it('encodes byte for byte as the BigInt transcription of §6.2 and §6.3, and decodes back', () => {
    fc.assert(
      fc.property(setup, fc.boolean(), ({ seq, rand }, uniform) => {
        const symbols = seq.map((t) => draw(t, rand, uniform));
        const out = new Uint8Array(maxRangeBody(seq.length) + 8);
        const end = rangeEncode(symbols, seq, out, 3);
        const body = out.slice(3, end);
        expect(body).toEqual(refRangeEncode(symbols, seq));
        expect(decodeCode(body, seq)).toEqual(symbols);
        expect(body.length).toBeLessThanOrEqual(maxRangeBody(seq.length));
      }),
      { numRuns: 400 },
    );
  });

  it('decodes any bytes exactly as the transcription of §6.4 and §6.5 (mutations and random bodies)', () => {
    fc.assert(
      fc.property(setup, fc.uint8Array({ maxLength: 40 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 3 }), fc.integer({ min: -3, max: 3 }), ({ seq, rand }, random, edits, cut) => {
        const symbols = seq.map((t) => draw(t, rand, false));
        const valid = refRangeEncode(symbols, seq);
        const mutated = Uint8Array.from(valid);
        for (const [i, v] of edits) if (mutated.length > 0) mutated[i % mutated.length] = v;
        const resized = cut >= 0 ? Uint8Array.from([...mutated, ...new Array(cut).fill(cut === 1 ? 0 : 7)]) : mutated.slice(0, Math.max(0, mutated.length + cut));
        for (const body of [valid, mutated, resized, random]) {
          const ref = refRangeDecode(body, seq.length, seq);
          expect(decodeCode(body, seq)).toEqual(ref);
          // Canonical: whatever decodes is exactly the encoding of what it decodes to.
          if (Array.isArray(ref)) expect(refRangeEncode(ref, seq)).toEqual(body);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('handles carries, including ones that ripple through 0xFF bytes', () => {
    const t = makeFreqTable(Uint16Array.of(3, 16381, 16384));
    const before = { ...refStats };
    for (let seed = 1; seed <= 300; seed++) {
      let x = seed;
      const symbols = Array.from({ length: 200 }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 16) % 3);
      const seq = symbols.map(() => t);
      const body = refRangeEncode(symbols, seq);
      const out = new Uint8Array(512);
      expect(out.slice(0, rangeEncode(symbols, seq, out, 0))).toEqual(body);
      expect(decodeCode(body, seq)).toEqual(symbols);
    }
    expect(refStats.carries - before.carries).toBeGreaterThan(50);
    expect(refStats.ripples - before.ripples).toBeGreaterThan(0);
  });

  it('encodes an empty grid as an empty body, and rejects bytes after it', () => {
    const out = new Uint8Array(8);
    expect(rangeEncode([], [], out, 0)).toBe(0);
    expect(decodeCode(new Uint8Array(0), [])).toEqual([]);
    expect(decodeCode(Uint8Array.of(1), [])).toBe('E_NONCANONICAL');
  });

  it('reports coded costs that add up to the body within the termination', () => {
    fc.assert(
      fc.property(setup, ({ seq, rand }) => {
        const symbols = seq.map((t) => draw(t, rand, false));
        const costs = rangeCosts(symbols, seq);
        const total = costs.reduce((a, b) => a + b, 0);
        const ideal = symbols.reduce((a, s, i) => a + seq[i]!.cost[s]!, 0);
        const bytes = refRangeEncode(symbols, seq).length;
        expect(total).toBeGreaterThanOrEqual(ideal - 1e-9);
        expect(total - ideal).toBeLessThanOrEqual(seq.length * 0.003 + 1e-9);
        expect(bytes * 8).toBeLessThanOrEqual(total + 33);
      }),
      { numRuns: 200 },
    );
  });
});
