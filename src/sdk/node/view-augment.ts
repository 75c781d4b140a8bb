/**
 * Augmented training views of a face, re-warped from the source photo, for consistent distillation:
 * the teacher describes each view exactly as the student will see it (`facevq teacher --views K
 * --augment SEED`), so augmentation no longer trains the student toward the target of another image.
 *
 * View 0 is the plain aligned chip (align.ts). Every other view jitters the alignment itself
 * (shift, scale and rotation about the chip centre, then a mirror image half the time) and samples
 * the source photo again, so the borders hold real pixels, not the black a shifted chip would get;
 * then brightness, contrast, saturation, greyscale and a light blur. Each view's parameters come from
 * a generator seeded by (seed, row, view), so a cache can be rebuilt bit for bit.
 */
import { chipToImage, warpChip, type Landmarks5, type Similarity } from '../align.js';
import type { RgbImage } from './image.js';
import { mirrorImage } from './image.js';
import { mulberry32 } from '../../worker/match/synthetic.js';

/** How far the views stray from the plain chip. */
export interface ViewJitter {
  /** Largest shift, in chip pixels (of 64). @default 4 */
  shiftPx: number;
  /** Largest relative change of scale. @default 0.08 */
  scale: number;
  /** Largest rotation, degrees. @default 8 */
  rotDeg: number;
  /** Chance of the mirror image. @default 0.5 */
  flip: number;
  /** Largest brightness change, in units of full scale. @default 0.15 */
  brightness: number;
  /** Largest relative contrast change. @default 0.25 */
  contrast: number;
  /** Largest relative saturation change. @default 0.3 */
  saturation: number;
  /** Chance of greyscale. @default 0.1 */
  grey: number;
  /** Chance of a 3x3 box blur. @default 0.2 */
  blur: number;
}

/** The recipe `facevq teacher --augment` uses; its name goes into the cache's meta.json. */
export const VIEW_JITTER_V1: Readonly<ViewJitter> = {
  shiftPx: 4, scale: 0.08, rotDeg: 8, flip: 0.5, brightness: 0.15, contrast: 0.25, saturation: 0.3, grey: 0.1, blur: 0.2,
};

/** A seed for (seed, row, view) with every input mixed in. */
function viewSeed(seed: number, row: number, view: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(row + 1, 0xc2b2ae35) ^ Math.imul(view + 1, 0x27d4eb2f);
  h ^= h >>> 16; h = Math.imul(h, 0x7feb352d); h ^= h >>> 15;
  return h >>> 0;
}

/** Composes chip->image with a jitter of the chip about its centre: rotate, scale, shift (chip pixels). */
function jittered(t: Similarity, size: number, rot: number, scale: number, dx: number, dy: number): Similarity {
  // Chip point p maps to c + s R (p - c) + d in the unjittered chip, then through t.
  const c = (size - 1) / 2;
  const ja = scale * Math.cos(rot), jb = scale * Math.sin(rot);
  const jtx = c - (ja * c - jb * c) + dx, jty = c - (jb * c + ja * c) + dy;
  return {
    a: t.a * ja - t.b * jb,
    b: t.b * ja + t.a * jb,
    tx: t.a * jtx - t.b * jty + t.tx,
    ty: t.b * jtx + t.a * jty + t.ty,
  };
}

/** Brightness, contrast, saturation and greyscale on RGB bytes, in place. */
function recolour(chip: Uint8Array, brightness: number, contrast: number, saturation: number): void {
  let mean = 0;
  for (let i = 0; i < chip.length; i++) mean += chip[i]!;
  mean /= chip.length;
  for (let i = 0; i < chip.length; i += 3) {
    const grey = 0.299 * chip[i]! + 0.587 * chip[i + 1]! + 0.114 * chip[i + 2]!;
    for (let c = 0; c < 3; c++) {
      const v = grey + (chip[i + c]! - grey) * saturation;
      chip[i + c] = Math.min(255, Math.max(0, Math.round((v - mean) * contrast + mean + brightness * 255)));
    }
  }
}

/** A 3x3 box blur of an RGB chip (edges averaged over the pixels that exist). */
function blur3(chip: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(chip.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0, n = 0;
        for (let v = Math.max(0, y - 1); v <= Math.min(size - 1, y + 1); v++) {
          for (let u = Math.max(0, x - 1); u <= Math.min(size - 1, x + 1); u++) { sum += chip[(v * size + u) * 3 + c]!; n++; }
        }
        out[(y * size + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return out;
}

/**
 * The `views` chips of side `size` of the face with `landmarks` in `image`: view 0 plain, the others
 * jittered by `jitter` from a generator seeded by (`seed`, `row`, view).
 */
export function augmentedViews(
  image: RgbImage, landmarks: Landmarks5, size: number, views: number, seed: number, row: number,
  jitter: Readonly<ViewJitter> = VIEW_JITTER_V1,
): Uint8Array[] {
  const base = chipToImage(landmarks, size);
  const out = [warpChip(image.data, image.width, image.height, 3, base, size)];
  for (let v = 1; v < views; v++) {
    const rand = mulberry32(viewSeed(seed, row, v));
    const sym = () => rand() * 2 - 1;
    const t = jittered(base, size, (sym() * jitter.rotDeg * Math.PI) / 180, 1 + sym() * jitter.scale, sym() * jitter.shiftPx, sym() * jitter.shiftPx);
    let chip = warpChip(image.data, image.width, image.height, 3, t, size);
    if (rand() < jitter.flip) chip = mirrorImage({ data: chip, width: size, height: size }).data;
    const grey = rand() < jitter.grey;
    recolour(chip, sym() * jitter.brightness, 1 + sym() * jitter.contrast, grey ? 0 : 1 + sym() * jitter.saturation);
    if (rand() < jitter.blur) chip = blur3(chip, size);
    out.push(chip);
  }
  return out;
}
