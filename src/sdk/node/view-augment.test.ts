import { describe, expect, it } from 'vitest';
import { alignFace, FACE_TEMPLATE } from '../align.js';
import { augmentedViews } from './view-augment.js';

/** A 200x200 textured photo (no black anywhere) with a 90 px face in the middle. */
const image = { data: new Uint8Array(200 * 200 * 3).map((_, i) => 40 + ((i * 37) % 180)), width: 200, height: 200 };
const landmarks = FACE_TEMPLATE.map((v) => 55 + 90 * v);
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('augmentedViews', () => {
  it('view 0 is the plain aligned chip', () => {
    const [plain] = augmentedViews(image, landmarks, 64, 4, 7, 0);
    expect(same(plain!, alignFace(image.data, 200, 200, 3, landmarks, 64))).toBe(true);
  });

  it('rebuilds the same views from the same seed and row, other views from others', () => {
    const a = augmentedViews(image, landmarks, 64, 4, 7, 3);
    const b = augmentedViews(image, landmarks, 64, 4, 7, 3);
    a.forEach((v, i) => expect(same(v, b[i]!)).toBe(true));
    expect(same(a[1]!, a[2]!)).toBe(false);
    expect(same(a[1]!, augmentedViews(image, landmarks, 64, 2, 8, 3)[1]!)).toBe(false);
    expect(same(a[1]!, augmentedViews(image, landmarks, 64, 2, 7, 4)[1]!)).toBe(false);
  });

  it('re-warps from the photo: jittered views keep real pixels where a shifted chip would be black', () => {
    for (let row = 0; row < 20; row++) {
      for (const view of augmentedViews(image, landmarks, 64, 3, 1, row)) {
        expect(view.length).toBe(64 * 64 * 3);
        let black = 0;
        for (let i = 0; i < view.length; i += 3) if (view[i] === 0 && view[i + 1] === 0 && view[i + 2] === 0) black++;
        expect(black).toBe(0);
      }
    }
  });
});
