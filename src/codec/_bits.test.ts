import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packFixed, unpackFixed, writeBits } from './_bits.js';
import { refPack } from './_reference.js';
import { errorCode } from './_testing.js';

describe('mode-0 bits (§5, MSB first)', () => {
  it('writeBits packs like the bit-by-bit definition', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 24 }), fc.nat()), { maxLength: 60 }), (items) => {
        const widths = items.map(([w]) => w);
        const values = items.map(([w, v]) => v % 2 ** w);
        const total = widths.reduce((a, b) => a + b, 0);
        const buf = new Uint8Array(Math.ceil(total / 8));
        let pos = 0;
        for (let i = 0; i < values.length; i++) pos = writeBits(buf, pos, values[i]!, widths[i]!);
        expect(pos).toBe(total);
        expect(buf).toEqual(refPack(values, widths));
      }),
    );
  });

  it('writes 9-bit values across byte boundaries', () => {
    const buf = new Uint8Array(3);
    let p = writeBits(buf, 0, 0x1ff, 9);
    p = writeBits(buf, p, 0x001, 9);
    expect(p).toBe(18);
    expect([...buf]).toEqual([0xff, 0x80, 0x40]);
  });

  it('packFixed and unpackFixed round-trip at any byte offset, over dirty buffers', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 2, max: 4096 }), fc.nat()), { maxLength: 40 }), fc.nat({ max: 5 }), (items, start) => {
        const k = Uint16Array.from(items, ([kk]) => kk);
        const bits = Uint8Array.from(k, (kk) => 32 - Math.clz32(kk - 1));
        const grid = Array.from(items, ([kk, v]) => v % kk);
        const bytes = Math.ceil(bits.reduce((a, b) => a + b, 0) / 8);
        const out = new Uint8Array(start + bytes).fill(0xa5);
        expect(packFixed(grid, bits, out, start, bytes)).toBe(start + bytes);
        expect(out.subarray(start)).toEqual(refPack(grid, bits));
        const back = new Uint16Array(grid.length);
        unpackFixed(out, start, bits, k, back);
        expect(Array.from(back)).toEqual(grid);
      }),
    );
  });

  it('unpackFixed: index range in grid order, then padding', () => {
    const k = Uint16Array.of(5, 5, 5, 5), bits = Uint8Array.of(3, 3, 3, 3), g = new Uint16Array(4);
    expect(errorCode(() => unpackFixed(Uint8Array.of(0b00100101, 0b00110000), 0, bits, k, g))).toBe('ok');
    expect(errorCode(() => unpackFixed(Uint8Array.of(0b10100101, 0b00110001), 0, bits, k, g))).toBe('E_INDEX_RANGE');
    expect(errorCode(() => unpackFixed(Uint8Array.of(0b00100101, 0b00110001), 0, bits, k, g))).toBe('E_PADDING');
  });
});
