/**
 * The one definition of the face crop (training, the SDK at run time and the evaluation all use it).
 *
 * Five landmarks (eye centres, nose tip, mouth corners) are mapped onto a fixed template by the
 * least-squares similarity transform (Umeyama, no reflection), and the crop is sampled bilinearly
 * with black outside the source image. The template is the widely used ArcFace 112x112 five-point
 * template, so any device with a five-point landmark detector can produce the same chip. (Zooming
 * the chip out by 1.3 or in by 0.8 cost the teacher accuracy on LFW pairs; measured in
 * `training/README.md`.)
 */

/** ArcFace's five-point template on a 112x112 chip: left eye, right eye, nose, mouth left, mouth right. */
const ARCFACE_112 = [38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041];

/** The template in unit coordinates: point i of a chip of side S sits at S * FACE_TEMPLATE[2i..2i+1]. */
export const FACE_TEMPLATE: readonly number[] = ARCFACE_112.map((v) => v / 112);

/** Five landmarks, image pixel coordinates: [x0, y0, x1, y1, ...] in template order. */
export type Landmarks5 = ArrayLike<number>;

/**
 * Landmarks are defined to 0.01 px (2 decimals): {@link landmarks5From68} (every detection the SDK, `facevq
 * teacher`, the training caches and `facevq eval` use) rounds to it. Why: caches store landmarks as
 * JSON and crops made from the stored numbers must be the crops made at detection time, bit for
 * bit; the crop's bilinear samples move with landmark shifts far below a pixel (unrounded against
 * rounded moved LFW accuracy by 0.2 points), so one rounding, in one place, for everyone.
 */
export const LANDMARK_DECIMALS = 2;

const LANDMARK_SCALE = 10 ** LANDMARK_DECIMALS;

/**
 * `landmarks` rounded to {@link LANDMARK_DECIMALS} decimals: the double nearest k / 100, which JSON
 * writes as the short decimal. Idempotent (a rounded value rounds to itself), so landmarks can be
 * stored, read back and rounded again without changing a crop.
 */
export function roundLandmarks(landmarks: Landmarks5): number[] {
  return Array.from(landmarks, (v) => Math.round(v * LANDMARK_SCALE) / LANDMARK_SCALE);
}

/**
 * A 2x3 affine map from chip pixels to image pixels: x_img = a*x - b*y + tx, y_img = b*x + a*y + ty
 * (a rotation, uniform scale and translation).
 */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/**
 * The similarity transform that takes chip pixel centres (side `size`) to image pixels, fitted in the
 * least-squares sense so the template lands on `landmarks`.
 */
export function chipToImage(landmarks: Landmarks5, size: number): Similarity {
  if (landmarks.length !== 10) throw new RangeError('landmarks: expected 10 numbers (5 points)');
  // Fit image = s*R*template + t with template points in chip pixels (Umeyama 1991, 2-D closed form).
  let mtx = 0, mty = 0, mix = 0, miy = 0;
  for (let i = 0; i < 5; i++) {
    mtx += FACE_TEMPLATE[2 * i]! * size; mty += FACE_TEMPLATE[2 * i + 1]! * size;
    mix += landmarks[2 * i]!; miy += landmarks[2 * i + 1]!;
  }
  mtx /= 5; mty /= 5; mix /= 5; miy /= 5;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < 5; i++) {
    const px = FACE_TEMPLATE[2 * i]! * size - mtx, py = FACE_TEMPLATE[2 * i + 1]! * size - mty;
    const qx = landmarks[2 * i]! - mix, qy = landmarks[2 * i + 1]! - miy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  const a = dot / norm, b = cross / norm;
  return { a, b, tx: mix - (a * mtx - b * mty), ty: miy - (b * mtx + a * mty) };
}

/**
 * Samples a `size` x `size` RGB chip (row-major, 3 bytes a pixel) from an RGB or RGBA image.
 * Pixel centres map through `t`; samples are bilinear, rounded half up, black outside the image.
 */
export function warpChip(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 3 | 4,
  t: Similarity,
  size: number,
): Uint8Array {
  if (pixels.length < width * height * channels) throw new RangeError('pixels: buffer smaller than width*height*channels');
  const out = new Uint8Array(size * size * 3);
  let o = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = t.a * x - t.b * y + t.tx;
      const sy = t.b * x + t.a * y + t.ty;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      for (let c = 0; c < 3; c++) {
        const v00 = sample(pixels, width, height, channels, x0, y0, c);
        const v10 = sample(pixels, width, height, channels, x0 + 1, y0, c);
        const v01 = sample(pixels, width, height, channels, x0, y0 + 1, c);
        const v11 = sample(pixels, width, height, channels, x0 + 1, y0 + 1, c);
        const top = v00 + (v10 - v00) * fx;
        const bottom = v01 + (v11 - v01) * fx;
        out[o++] = Math.floor(top + (bottom - top) * fy + 0.5);
      }
    }
  }
  return out;
}

function sample(p: Uint8Array | Uint8ClampedArray, w: number, h: number, ch: number, x: number, y: number, c: number): number {
  return x < 0 || y < 0 || x >= w || y >= h ? 0 : p[(y * w + x) * ch + c]!;
}

/** Aligns a face: the chip of side `size` for the given five landmarks. */
export function alignFace(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: 3 | 4,
  landmarks: Landmarks5,
  size: number,
): Uint8Array {
  return warpChip(pixels, width, height, channels, chipToImage(landmarks, size), size);
}

/**
 * The five template landmarks from face-api's (iBUG) 68-point layout, as [x0, y0, ...], rounded
 * to {@link LANDMARK_DECIMALS} decimals (the one place landmarks are rounded).
 */
export function landmarks5From68(points: ArrayLike<{ x: number; y: number }>): number[] {
  if (points.length !== 68) throw new RangeError('points: expected 68 landmarks');
  const mean = (from: number, to: number, key: 'x' | 'y') => {
    let s = 0;
    for (let i = from; i <= to; i++) s += points[i]![key];
    return s / (to - from + 1);
  };
  return roundLandmarks([
    mean(36, 41, 'x'), mean(36, 41, 'y'), // left eye (image left)
    mean(42, 47, 'x'), mean(42, 47, 'y'), // right eye
    points[30]!.x, points[30]!.y, // nose tip
    points[48]!.x, points[48]!.y, // mouth left corner
    points[54]!.x, points[54]!.y, // mouth right corner
  ]);
}
