/**
 * Writing C99 source text: number literals that read back exactly, and constant arrays.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A float32 literal that reads back as exactly `v` (9 significant digits round-trip float32). */
export function floatLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`no C literal for ${v}`);
  if (Object.is(v, -0)) return '-0.0f';
  const s = Math.fround(v).toPrecision(9);
  return `${s.includes('e') || s.includes('.') ? s : `${s}.0`}f`;
}

/** A double literal that reads back as exactly `v` (17 significant digits round-trip float64). */
export function doubleLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`no C literal for ${v}`);
  const s = v.toPrecision(17);
  return s.includes('e') || s.includes('.') ? s : `${s}.0`;
}

/**
 * The IEEE 754 binary16 bits of `v`, which must be exactly representable in binary16 (a float16
 * weight the ONNX reader widened to float32): throws RangeError otherwise.
 */
export function halfBits(v: number): number {
  f32[0] = v;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000, exp = (bits >>> 23) & 0xff, man = bits & 0x7fffff;
  let half: number;
  if (exp === 0 && man === 0) half = sign;
  else if (exp >= 113 && exp <= 142) half = sign | ((exp - 112) << 10) | (man >>> 13); // normal
  else if (exp >= 103 && exp < 113) half = sign | ((man | 0x800000) >>> (126 - exp)); // subnormal
  else throw new RangeError(`${v} is outside float16`);
  if (halfToFloat(half) !== Math.fround(v)) throw new RangeError(`${v} is not exactly a float16`);
  return half;
}

function halfToFloat(h: number): number {
  const exp = (h >>> 10) & 0x1f, man = h & 0x3ff, sign = h & 0x8000 ? -1 : 1;
  return sign * (exp === 0 ? man * 2 ** -24 : (1024 + man) * 2 ** (exp - 25));
}

/** `values` as the body of a C array initializer, `perLine` to a line. */
export function arrayBody(values: ArrayLike<number>, format: (v: number) => string, perLine = 12): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const row: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) row.push(format(values[j]!));
    lines.push(`  ${row.join(', ')},`);
  }
  return lines.join('\n');
}

/** A C identifier made from an ONNX name (`blocks.0.dw.weight` -> `blocks_0_dw_weight`). */
export function cIdentifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}
