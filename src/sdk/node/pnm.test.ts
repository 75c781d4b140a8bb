import { describe, expect, it } from 'vitest';
import { decodePnm, isPnm } from './pnm.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('decodePnm', () => {
  it('reads a binary PGM (P5) with a comment as grey RGB', () => {
    const header = ascii('P5\n# made by hand\n3 2\n255\n');
    const bytes = new Uint8Array([...header, 0, 10, 20, 30, 40, 255]);
    const img = decodePnm(bytes);
    expect([img.width, img.height]).toEqual([3, 2]);
    expect([...img.data.subarray(0, 6)]).toEqual([0, 0, 0, 10, 10, 10]);
    expect([...img.data.subarray(15, 18)]).toEqual([255, 255, 255]);
  });

  it('reads ASCII PGM (P2) and scales maxval', () => {
    const img = decodePnm(ascii('P2 2 1 15\n0 15\n'));
    expect([...img.data]).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('reads binary PPM (P6) and 16-bit samples', () => {
    expect([...decodePnm(new Uint8Array([...ascii('P6 1 1 255 '), 1, 2, 3])).data]).toEqual([1, 2, 3]);
    expect([...decodePnm(new Uint8Array([...ascii('P5 1 1 65535 '), 0xff, 0xff])).data]).toEqual([255, 255, 255]);
  });

  it('rejects other files and truncated rasters', () => {
    expect(isPnm(ascii('\xff\xd8'))).toBe(false);
    expect(() => decodePnm(ascii('GIF89a'))).toThrow(RangeError);
    expect(() => decodePnm(new Uint8Array([...ascii('P5 2 2 255 '), 1]))).toThrow(/truncated/);
    expect(() => decodePnm(ascii('P5 0 2 255 '))).toThrow(/size/);
  });
});
