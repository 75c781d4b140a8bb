import { describe, expect, it } from 'vitest';
import { alignFace, chipToImage, FACE_TEMPLATE, landmarks5From68, roundLandmarks, warpChip } from './align.js';

const template = (size: number, scale = 1, dx = 0, dy = 0) => FACE_TEMPLATE.map((v, i) => v * size * scale + (i % 2 === 0 ? dx : dy));

describe('chipToImage', () => {
  it('is the identity when the landmarks sit on the template', () => {
    const t = chipToImage(template(64), 64);
    expect(t.a).toBeCloseTo(1, 9);
    expect(t.b).toBeCloseTo(0, 9);
    expect(t.tx).toBeCloseTo(0, 9);
    expect(t.ty).toBeCloseTo(0, 9);
  });

  it('recovers scale and translation', () => {
    const t = chipToImage(template(64, 2, 10, -5), 64);
    expect(t.a).toBeCloseTo(2, 9);
    expect(t.b).toBeCloseTo(0, 9);
    expect(t.tx).toBeCloseTo(10, 9);
    expect(t.ty).toBeCloseTo(-5, 9);
  });

  it('recovers a rotation', () => {
    const angle = 0.3;
    const pts = template(64).slice();
    for (let i = 0; i < 5; i++) {
      const x = pts[2 * i]!, y = pts[2 * i + 1]!;
      pts[2 * i] = Math.cos(angle) * x - Math.sin(angle) * y;
      pts[2 * i + 1] = Math.sin(angle) * x + Math.cos(angle) * y;
    }
    const t = chipToImage(pts, 64);
    expect(Math.atan2(t.b, t.a)).toBeCloseTo(angle, 9);
    expect(Math.hypot(t.a, t.b)).toBeCloseTo(1, 9);
  });

  it('rejects anything but five points', () => {
    expect(() => chipToImage([1, 2, 3], 64)).toThrow(RangeError);
  });
});

describe('warpChip', () => {
  const width = 8, height = 6;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([i, 255 - i, 7, 255], i * 4);

  it('copies pixels exactly under the identity, from RGBA too', () => {
    const chip = warpChip(rgba, width, height, 4, { a: 1, b: 0, tx: 0, ty: 0 }, 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
      const i = y * width + x;
      expect(Array.from(chip.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3))).toEqual([i, 255 - i, 7]);
    }
  });

  it('interpolates half-way between pixels and is black outside', () => {
    const chip = warpChip(rgba, width, height, 4, { a: 1, b: 0, tx: 0.5, ty: 100 }, 2);
    expect(Array.from(chip)).toEqual(new Array(12).fill(0));
    const mid = warpChip(rgba, width, height, 4, { a: 1, b: 0, tx: 0.5, ty: 0 }, 1);
    expect(mid[0]).toBe(1); // (0 + 1) / 2 = 0.5, rounded half up
  });

  it('refuses a buffer smaller than its dimensions', () => {
    expect(() => warpChip(new Uint8Array(10), width, height, 3, { a: 1, b: 0, tx: 0, ty: 0 }, 2)).toThrow(RangeError);
  });
});

describe('alignFace', () => {
  it('puts the landmarks where the template says', () => {
    // A white image with a dark 5x5 blob at the first landmark.
    const size = 64, width = 200, height = 200;
    const rgb = new Uint8Array(width * height * 3).fill(255);
    const lm = template(size, 2, 20, 30);
    const lx = Math.round(lm[0]!), ly = Math.round(lm[1]!);
    for (let y = ly - 2; y <= ly + 2; y++) rgb.fill(0, (y * width + lx - 2) * 3, (y * width + lx + 3) * 3);
    const chip = alignFace(rgb, width, height, 3, lm, size);
    const cx = Math.round((lx - 20) / 2), cy = Math.round((ly - 30) / 2);
    expect(chip[(cy * size + cx) * 3]!).toBeLessThan(200);
  });
});

describe('landmarks5From68', () => {
  it('averages the eyes and picks nose tip and mouth corners', () => {
    const points = Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i }));
    expect(landmarks5From68(points)).toEqual([38.5, 77, 44.5, 89, 30, 60, 48, 96, 54, 108]);
  });

  it('rounds to 0.01 px, so a stored and read-back detection crops like the fresh one', () => {
    const points = Array.from({ length: 68 }, (_, i) => ({ x: i + 0.123456, y: 2 * i + 0.987654 }));
    const lm = landmarks5From68(points);
    expect(lm).toEqual([38.62, 77.99, 44.62, 89.99, 30.12, 60.99, 48.12, 96.99, 54.12, 108.99]);
    const rgb = Uint8Array.from({ length: 160 * 160 * 3 }, (_, i) => (i * 7919) % 251);
    const stored = JSON.parse(JSON.stringify(lm)) as number[];
    expect(alignFace(rgb, 160, 160, 3, stored, 64)).toEqual(alignFace(rgb, 160, 160, 3, lm, 64));
  });
});

describe('roundLandmarks', () => {
  it('is idempotent and writes short decimals', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => ((i * 2654435761) % 400_003) / 97 - 300);
    const once = roundLandmarks(xs);
    expect(roundLandmarks(once)).toEqual(once);
    expect(once.every((v, i) => v === +xs[i]!.toFixed(2))).toBe(true);
  });
});
