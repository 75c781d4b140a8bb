/**
 * Teacher PCA file pairs for tests, in the layout training exports (src/eval/teacher-pca.ts):
 * tiny hand-written ones for the arithmetic, and seeded random orthonormal ones for running the
 * real teacher before a trained PCA exists. A random orthonormal projection of centred descriptors
 * keeps their cosines roughly (Johnson-Lindenstrauss), so the teacher still separates faces.
 */
import fs from 'node:fs';
import { seeded } from './synthetic-profile.js';

/** What goes into a PCA file pair. */
export interface PcaContents {
  teacher: string;
  /** `inputDim` floats. */
  mean: ArrayLike<number>;
  /** `dim` rows of `inputDim` floats, row-major. */
  basis: ArrayLike<number>;
  dim: number;
  rows?: number;
}

/** Writes `jsonFile` and the `.bin` beside it (same name). */
export function writeTeacherPca(jsonFile: string, c: PcaContents): void {
  const inputDim = c.mean.length;
  fs.writeFileSync(jsonFile, JSON.stringify({ teacher: c.teacher, inputDim, dim: c.dim, rows: c.rows ?? 1000 }));
  const floats = new Float32Array(inputDim * (1 + c.dim));
  floats.set(Array.from(c.mean));
  floats.set(Array.from(c.basis), inputDim);
  const bytes = Buffer.alloc(floats.length * 4);
  floats.forEach((v, i) => bytes.writeFloatLE(v, 4 * i));
  fs.writeFileSync(jsonFile.replace(/\.json$/, '.bin'), bytes);
}

/** `dim` seeded random orthonormal rows of length `inputDim` (Gram-Schmidt on Gaussian rows). */
export function orthonormalRows(dim: number, inputDim: number, seed = 1): Float32Array {
  const rand = seeded(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const out = Float32Array.from({ length: dim * inputDim }, gauss);
  for (let j = 0; j < dim; j++) {
    const v = out.subarray(j * inputDim, (j + 1) * inputDim);
    for (let i = 0; i < j; i++) {
      const u = out.subarray(i * inputDim, (i + 1) * inputDim);
      let dot = 0;
      for (let t = 0; t < inputDim; t++) dot += v[t]! * u[t]!;
      for (let t = 0; t < inputDim; t++) v[t]! -= dot * u[t]!;
    }
    let norm = 0;
    for (let t = 0; t < inputDim; t++) norm += v[t]! ** 2;
    for (let t = 0; t < inputDim; t++) v[t]! /= Math.sqrt(norm);
  }
  return out;
}
