import { describe, expect, it } from 'vitest';
import { boxCrop, chooseSetting, compress, decompress, parseImageMethod, type CalibrationRow } from './image-codec.js';

function ramp(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, 7], (y * width + x) * 3);
  return { data, width, height };
}

describe('boxCrop', () => {
  it('clips, floors and pads to a centred square like face-api', () => {
    // Box 4.7..10.9 x 2.2..5.9 in a 20x20 image: x 4, y 2, w floor(6.2)=6, h floor(3.7)=3.
    const crop = boxCrop(ramp(20, 20), { x: 4.7, y: 2.2, width: 6.2, height: 3.7 });
    expect([crop.width, crop.height]).toEqual([6, 6]);
    // diff 3: face-api appends round(1.5) = 2 rows after, prepends 1 before.
    expect([...crop.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...crop.data.subarray(6 * 3, 6 * 3 + 3)]).toEqual([4, 2, 7]); // row 1 = image row 2, from x 4
    expect([...crop.data.subarray((3 * 6 + 5) * 3, (3 * 6 + 5) * 3 + 3)]).toEqual([9, 4, 7]);
    expect([...crop.data.subarray(4 * 6 * 3)].every((v) => v === 0)).toBe(true);
  });

  it('clips a box hanging off the image', () => {
    const crop = boxCrop(ramp(10, 10), { x: -3, y: 5, width: 8, height: 20 });
    // x 0..5 (w 5), y 5..10 (h 5)
    expect([crop.width, crop.height]).toEqual([5, 5]);
    expect([...crop.data.subarray(0, 3)]).toEqual([0, 5, 7]);
    expect(() => boxCrop(ramp(10, 10), { x: 20, y: 0, width: 5, height: 5 })).toThrow(RangeError);
  });
});

describe('chooseSetting', () => {
  const row = (side: number, quality: number, meanBytes: number, psnr: number): CalibrationRow => ({ format: 'jpeg', side, quality, meanBytes, psnr });
  const table = [row(8, 1, 200, 15), row(8, 10, 215, 16), row(16, 1, 260, 17), row(32, 30, 700, 25), row(16, 50, 320, 22)];

  it('takes the best PSNR within the budget', () => {
    expect(chooseSetting(table, 300)).toMatchObject({ row: { side: 16, quality: 1 }, reachable: true, budget: 300 });
    expect(chooseSetting(table, 1000).row.side).toBe(32);
  });

  it('falls back to the format floor plus 10% when the budget is out of reach', () => {
    const c = chooseSetting(table, 40);
    expect(c.reachable).toBe(false);
    expect(c.budget).toBeCloseTo(220, 9);
    expect(c.row).toMatchObject({ side: 8, quality: 10 });
  });
});

describe('parseImageMethod', () => {
  it('reads names and budgets', () => {
    expect(parseImageMethod('jpeg')).toEqual({ format: 'jpeg' });
    expect(parseImageMethod('webp:300')).toEqual({ format: 'webp', budget: 300 });
    expect(parseImageMethod('png')).toBeUndefined();
    expect(parseImageMethod('jpeg:')).toBeUndefined();
  });
});

describe('compress and decompress', () => {
  it('round-trips through sharp to a 150x150 crop', async () => {
    const crop = ramp(60, 60);
    for (const format of ['jpeg', 'webp'] as const) {
      const bytes = await compress(crop, { format, side: 24, quality: 50 });
      expect(bytes.length).toBeGreaterThan(20);
      const back = await decompress(bytes);
      expect([back.width, back.height, back.data.length]).toEqual([150, 150, 150 * 150 * 3]);
    }
  });
});
