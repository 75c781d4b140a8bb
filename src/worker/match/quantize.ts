/**
 * Per-row symmetric int8 quantisation: `q[i] = round(x[i] / s)` with `s = max|x| / 127`, so each
 * row uses the full int8 range whatever its own spread. The dot product of two quantised rows
 * times both scales approximates the f32 dot product; `int8-check.ts` measures how closely.
 */

/** Quantises `src` into `dst` (same length) and returns the row's scale (0 for a zero row). */
export function quantizeRow(src: ArrayLike<number>, dst: Int8Array | Int16Array): number {
  let max = 0;
  for (let i = 0; i < src.length; i++) {
    const a = Math.abs(src[i]!);
    if (a > max) max = a;
  }
  if (max === 0) {
    dst.fill(0);
    return 0;
  }
  const inv = 127 / max;
  for (let i = 0; i < src.length; i++) dst[i] = Math.round(src[i]! * inv);
  return max / 127;
}
