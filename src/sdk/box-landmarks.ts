/**
 * Five landmarks from a face box, for callers that have a detector's box but no landmarks: a fixed
 * mean shape placed in the box. It is calibrated on face-api's tiny face detector (the detector the
 * SDK uses in Node), so boxes from other detectors, which frame faces differently, give a shifted
 * crop; pass landmarks when you have them.
 */
import type { Landmarks5 } from './align.js';
import { FaceEncoderError } from './errors.js';

/** A face box in image pixels (top-left corner and size). */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where the five template landmarks (left eye, right eye, nose tip, left and right mouth corner)
 * sit in a face-api tiny-detector box, as [x0, y0, ...] fractions of its width and height.
 * Measured by `scripts/box-landmarks.ts`: the mean of (lm.x - box.x) / box.width and
 * (lm.y - box.y) / box.height over the 5,200 UTKFace images of the teacher cache with a detection
 * (status ok; 200x200 aligned UTKFace chips, detector at input size 320). The per-coordinate
 * standard deviation is 0.05 to 0.09 of the box (pose and the detector's jitter): what a box-only
 * crop gives up against real landmarks.
 */
export const MEAN_SHAPE: readonly number[] = [0.3295, 0.2467, 0.6837, 0.2486, 0.507, 0.5165, 0.3606, 0.7009, 0.6575, 0.7035];

/** The mean-shape landmarks of {@link MEAN_SHAPE} placed in `box`, in image pixels. */
export function landmarksFromBox(box: FaceBox): Landmarks5 {
  const { x, y, width, height } = box;
  if (![x, y, width, height].every(Number.isFinite) || !(width > 0 && height > 0)) {
    throw new FaceEncoderError('E_INPUT', `box must have finite coordinates and a positive size, got ${JSON.stringify(box)}`);
  }
  return MEAN_SHAPE.map((f, i) => (i % 2 === 0 ? x + f * width : y + f * height));
}
