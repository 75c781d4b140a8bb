/**
 * The teacher and its descriptor cut down to fewer bytes (the teacher itself: src/eval/teacher.ts,
 * faceres on the face's 64x64 aligned chip projected to 128-D by the training PCA):
 *
 * - `teacher`: the projected descriptor, float32: 512 bytes. `facevq teacher`'s cached raw
 *   descriptors (view 0) are projected when the cache is this faceres's.
 * - `teacher-int8`: each dimension rounded to a signed byte with one float32 scale per face
 *   (max |x| / 127): 128 + 4 = 132 bytes.
 * - `teacher-1bit`: the sign of each dimension, 16 bytes. The sign is taken about mu = 0 because the
 *   PCA output is already centred on the training mean (never the evaluation set's).
 */
import type { Teacher } from '../teacher.js';
import { codeKey } from '../code-versions.js';
import { fingerprint, type DerivedMethod, type SourceMethod } from './method.js';

/** The teacher: its projected descriptor, float32. */
export function teacherMethod(teacher: Teacher): SourceMethod {
  return {
    kind: 'source',
    name: 'teacher',
    cacheKey: () => `teacher-${fingerprint([teacher.id, 'aligned chip, view 0', codeKey('detection', 'teacher')])}`,
    describe: () => `${teacher.describe()}, float32`,
    async embed(face) {
      return { embedding: await teacher.embedFace(face), bytes: teacher.dim * 4 };
    },
  };
}

/** Symmetric int8 with one float32 scale: returns the dequantised vector. */
export function quantiseInt8(x: Float32Array): Float32Array {
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  const scale = Math.fround(max / 127);
  const out = new Float32Array(x.length);
  if (scale === 0) return out;
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-127, Math.min(127, Math.round(x[i]! / scale))) * scale;
  return out;
}

/** `teacher-int8`: one signed byte per dimension and a float32 scale. */
export function teacherInt8Method(teacher: Teacher): DerivedMethod {
  return {
    kind: 'derived',
    name: 'teacher-int8',
    from: 'teacher',
    describe: () => 'teacher descriptor, int8 per dimension with one float32 scale (max|x|/127)',
    derive: (source) => ({ embedding: quantiseInt8(source.embedding), bytes: teacher.dim + 4 }),
  };
}

/** sign(x) as +-1 (zero counts as +1). */
export function signBits(x: Float32Array): Float32Array {
  return x.map((v) => (v >= 0 ? 1 : -1));
}

/** `teacher-1bit`: one bit per dimension, the sign about the training mean (the PCA's origin). */
export function teacherOneBitMethod(teacher: Teacher): DerivedMethod {
  return {
    kind: 'derived',
    name: 'teacher-1bit',
    from: 'teacher',
    describe: () => 'teacher descriptor, 1 bit per dimension: sign(x); mu = 0 because the PCA output is centred on the training (UTKFace) mean',
    derive: (source) => ({ embedding: signBits(source.embedding), bytes: Math.ceil(teacher.dim / 8) }),
  };
}
