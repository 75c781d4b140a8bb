/**
 * The teacher and its descriptor cut down to fewer bytes:
 *
 * - `teacher`: face-api's 128-D dlib ResNet descriptor of face-api's own box crop, float32, 512
 *   bytes. `facevq teacher` caches exactly this (view 0), so cached descriptors are reused.
 * - `teacher-int8`: each dimension rounded to a signed byte with one float32 scale per face
 *   (max |x| / 127): 128 + 4 = 132 bytes.
 * - `teacher-1bit`: the sign of x - mu per dimension, 16 bytes, where mu is the mean teacher
 *   descriptor over the UTKFace training images (never the evaluation set). Without a UTKFace
 *   teacher cache mu = 0 (plain sign(x)), and the description says so.
 *
 * Scores are cosine similarities for every method. For the teacher, face-api's usual Euclidean
 * distance ranks pairs the same way only for descriptors of equal norm, and face-api's are not
 * unit length (norms 1.3 to 1.6 on LFW); measured on LFW View 2, cosine 95.97%, Euclidean 95.85%.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { FaceApi } from '../../sdk/node/faceapi.js';
import { readTeacherCaches } from '../faces.js';
import { fingerprint, type DerivedMethod, type SourceMethod } from './method.js';

const DIM = 128;

/** The face-api package version, part of the teacher's cache key. */
function faceApiVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@vladmandic/face-api/package.json') as { version: string }).version;
}

/** The teacher: face-api's descriptor of its box crop (512 bytes). */
export function teacherMethod(faceApi: () => Promise<FaceApi>): SourceMethod {
  return {
    kind: 'source',
    name: 'teacher',
    cacheKey: () => `teacher-${fingerprint(['face-api', faceApiVersion(), 'box crop, view 0'])}`,
    describe: () => `face-api ${faceApiVersion()} faceRecognitionNet (dlib ResNet-34) on face-api's box crop, float32`,
    async embed(face) {
      const embedding = face.cachedTeacher ?? (await (await faceApi()).descriptor(await face.image(), face.box));
      return { embedding, bytes: DIM * 4 };
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

/** `teacher-int8`: 128 signed bytes and a float32 scale. */
export function teacherInt8Method(): DerivedMethod {
  return {
    kind: 'derived',
    name: 'teacher-int8',
    from: 'teacher',
    describe: () => 'teacher descriptor, int8 per dimension with one float32 scale (max|x|/127)',
    derive: (source) => ({ embedding: quantiseInt8(source.embedding), bytes: DIM + 4 }),
  };
}

/** sign(x - mu) as +-1 (zero counts as +1). */
export function signBits(x: Float32Array, mu: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - mu[i]! >= 0 ? 1 : -1;
  return out;
}

/** The per-dimension mean of view-0 teacher descriptors over the UTKFace caches, or undefined when none. */
export function utkfaceTeacherMean(teacherCacheRoot: string): { mu: Float32Array; rows: number } | undefined {
  if (!fs.existsSync(teacherCacheRoot)) return undefined;
  const dataDirs = new Set<string>();
  for (const name of fs.readdirSync(teacherCacheRoot)) {
    const metaFile = path.join(teacherCacheRoot, name, 'meta.json');
    if (!fs.existsSync(metaFile)) continue;
    const data = (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { data?: string }).data;
    if (data && path.basename(data).toLowerCase() === 'utkface') dataDirs.add(path.resolve(data)); // training images only, never LFW
  }
  const sum = new Float64Array(DIM);
  let rows = 0;
  for (const data of dataDirs) {
    for (const row of readTeacherCaches(teacherCacheRoot, data).values()) {
      if (!row.teacher) continue;
      for (let i = 0; i < DIM; i++) sum[i]! += row.teacher[i]!;
      rows++;
    }
  }
  if (rows === 0) return undefined;
  return { mu: Float32Array.from(sum, (s) => s / rows), rows };
}

/** `teacher-1bit`: 16 bytes, sign of (x - mu) with mu from UTKFace. */
export function teacherOneBitMethod(teacherCacheRoot: string): DerivedMethod {
  const mean = utkfaceTeacherMean(teacherCacheRoot);
  const mu = mean?.mu ?? new Float32Array(DIM);
  return {
    kind: 'derived',
    name: 'teacher-1bit',
    from: 'teacher',
    describe: () =>
      mean
        ? `teacher descriptor, 1 bit per dimension: sign(x - mu), mu = mean over ${mean.rows} UTKFace teacher descriptors`
        : 'teacher descriptor, 1 bit per dimension: sign(x) (NO UTKFace teacher cache found, so mu = 0)',
    derive: (source) => ({ embedding: signBits(source.embedding, mu), bytes: DIM / 8 }),
  };
}
