import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FACE_TEMPLATE } from '../../sdk/align.js';
import type { RgbImage } from '../../sdk/node/image.js';
import type { Face } from '../faces.js';
import { CHIP_SIDE, faceChip, type Teacher } from '../teacher.js';
import { calibrationTable, chooseSetting, compress, decompress, imageCodecMethod, parseImageMethod, type CalibrationRow } from './image-codec.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-codec-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A smooth test image with some texture, so compression has something to lose. */
function picture(width: number, height: number, seed = 0): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([(2 * x + seed) % 256, (3 * y) % 256, 128 + 100 * Math.sin((x + seed) / 3) * Math.cos(y / 4)], (y * width + x) * 3);
  }
  return { data, width, height };
}

/** A face in a 120x100 picture: the template scaled to an 80 px face at (20, 10). */
function syntheticFace(name: string, seed: number): Face {
  const image = picture(120, 100, seed);
  const landmarks5 = FACE_TEMPLATE.map((v, i) => (i % 2 === 0 ? 20 : 10) + 80 * v);
  return { path: name, box: { x: 20, y: 10, width: 80, height: 80 }, landmarks5, fallback: false, image: async () => image };
}

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
  it('send the chip at a side up to its own and give it back at 64x64', async () => {
    const chip = picture(CHIP_SIDE, CHIP_SIDE);
    for (const format of ['jpeg', 'webp'] as const) {
      for (const side of [24, CHIP_SIDE]) {
        const bytes = await compress(chip, { format, side, quality: 50 });
        expect(bytes.length).toBeGreaterThan(20);
        const back = await decompress(bytes);
        expect([back.width, back.height, back.data.length]).toEqual([CHIP_SIDE, CHIP_SIDE, CHIP_SIDE * CHIP_SIDE * 3]);
      }
    }
  });

  it('calibrate on chips: sides up to 64, more bytes buy more PSNR', async () => {
    const table = await calibrationTable('webp', [picture(CHIP_SIDE, CHIP_SIDE, 1)]);
    expect(Math.max(...table.map((r) => r.side))).toBe(CHIP_SIDE);
    const at = (side: number, quality: number) => table.find((r) => r.side === side && r.quality === quality)!;
    expect(at(64, 90).psnr).toBeGreaterThan(at(8, 1).psnr);
    expect(at(64, 90).meanBytes).toBeGreaterThan(at(8, 1).meanBytes);
  }, 120_000);
});

describe('imageCodecMethod', () => {
  it('compresses the face\'s aligned chip and gives the teacher the decoded 64x64 chip', async () => {
    const seen: RgbImage[] = [];
    const teacher: Teacher = {
      id: 'fake-teacher',
      dim: 2,
      describe: () => 'fake',
      embedFace: () => Promise.reject(new Error('not used')),
      async embedChip(chip) {
        seen.push(chip);
        return Float32Array.from([chip.data[0]!, chip.data[1]!]);
      },
    };
    const method = imageCodecMethod('jpeg:900', teacher);
    const sample = [syntheticFace('a.jpg', 1), syntheticFace('b.jpg', 5)];
    await method.prepare!(sample, { cacheDir: dir });
    expect(method.describe()).toMatch(/^teacher on the 64x64 aligned chip.*JPEG .*budget 900 B/);
    expect(method.cacheKey()).toMatch(/^jpeg:900-[0-9a-f]{12}$/);

    const { embedding, bytes } = await method.embed(sample[0]!);
    expect(bytes).toBeGreaterThan(100);
    expect(bytes).toBeLessThanOrEqual(1500); // the setting fits 900 B on average over the sample
    expect(seen.map((c) => [c.width, c.height])).toEqual([[CHIP_SIDE, CHIP_SIDE]]);
    expect(embedding).toHaveLength(2);
    // What the teacher got is the chip after compression: close to it, not equal.
    const chip = await faceChip(sample[0]!);
    let se = 0;
    for (let i = 0; i < chip.data.length; i++) se += (chip.data[i]! - seen[0]!.data[i]!) ** 2;
    const psnr = 10 * Math.log10((255 * 255 * chip.data.length) / se);
    expect(psnr).toBeGreaterThan(20);
    expect(psnr).toBeLessThan(99);
  }, 120_000);
});
