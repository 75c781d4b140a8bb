import { describe, expect, it } from 'vitest';
import { alignFace, FACE_TEMPLATE } from './align.js';
import { landmarksFromBox, MEAN_SHAPE } from './box-landmarks.js';
import { checkCropSpec, chipToTensor, cropFace } from './preprocess.js';

function image(width: number, height: number, channels: 3 | 4): Uint8Array {
  return Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 7 + (i >> 5)) & 255);
}

describe('cropFace', () => {
  const lm = [40, 50, 80, 50, 60, 70, 45, 90, 75, 90];

  it('is alignFace for landmarks, RGB or RGBA', () => {
    const rgb = image(120, 140, 3);
    expect(cropFace({ pixels: rgb, width: 120, height: 140, channels: 3, landmarks5: lm }, 64)).toEqual(alignFace(rgb, 120, 140, 3, lm, 64));
    const rgba = new Uint8Array(120 * 140 * 4);
    for (let p = 0; p < 120 * 140; p++) { rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p); rgba[4 * p + 3] = 17; }
    expect(cropFace({ pixels: rgba, width: 120, height: 140, channels: 4, landmarks5: lm }, 64)).toEqual(alignFace(rgb, 120, 140, 3, lm, 64));
  });

  it('places the mean shape in a box', () => {
    const box = { x: 10, y: 20, width: 100, height: 120 };
    const got = Array.from(landmarksFromBox(box));
    expect(got[0]).toBeCloseTo(10 + MEAN_SHAPE[0]! * 100);
    expect(got[9]).toBeCloseTo(20 + MEAN_SHAPE[9]! * 120);
    const rgb = image(150, 160, 3);
    expect(cropFace({ pixels: rgb, width: 150, height: 160, channels: 3, box }, 64)).toEqual(alignFace(rgb, 150, 160, 3, got, 64));
  });

  it('rejects bad inputs with E_INPUT', () => {
    const pixels = image(10, 10, 3);
    const bad = [
      { pixels, width: 10, height: 11, channels: 3, landmarks5: lm },
      { pixels, width: 10, height: 10, channels: 2, landmarks5: lm },
      { pixels, width: 10, height: 10, channels: 3, landmarks5: lm.slice(1) },
      { pixels, width: 10, height: 10, channels: 3, landmarks5: [...lm.slice(1), NaN] },
      { pixels, width: 10, height: 10, channels: 3, box: { x: 0, y: 0, width: 0, height: 5 } },
      { pixels, width: 10, height: 10, channels: 3 },
    ];
    for (const input of bad) expect(() => cropFace(input as never, 64)).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });
});

describe('chipToTensor', () => {
  it('writes (v/255 - mean)/std channel-first', () => {
    const chip = Uint8Array.from([0, 255, 51, 102, 153, 204, 255, 0, 0, 10, 20, 30]); // 2x2 RGB
    const out = new Float32Array(1 + 12);
    chipToTensor(chip, 2, 0.5, 0.5, out, 1);
    const want = [0, 102, 255, 10, 255, 153, 0, 20, 51, 204, 0, 30].map((v) => (v / 255 - 0.5) / 0.5);
    want.forEach((v, i) => expect(out[1 + i]).toBeCloseTo(v, 6));
  });
});

describe('checkCropSpec', () => {
  it('accepts the SDK crop and refuses another template', () => {
    expect(() => checkCropSpec({ size: 64, channels: 3, template: FACE_TEMPLATE })).not.toThrow();
    expect(() => checkCropSpec({ size: 64, channels: 3, template: FACE_TEMPLATE.map((v) => v * 0.9) })).toThrow(expect.objectContaining({ code: 'E_PROFILE_MISMATCH' }));
    expect(() => checkCropSpec({ size: 64, channels: 1, template: FACE_TEMPLATE })).toThrow(expect.objectContaining({ code: 'E_PROFILE_MISMATCH' }));
  });
});
