/**
 * The teacher's projection to 128 dimensions: the PCA that training fits on its teacher rows and
 * exports as a file pair (the interface between training and everything that scores the teacher):
 *
 *   teacher-pca.json  {"teacher": "<faceres id>", "inputDim": 1024, "dim": 128, "rows": N}
 *   teacher-pca.bin   little-endian float32: mean[inputDim], then basis[dim][inputDim] (row-major,
 *                     each row a unit principal direction)
 *
 * A raw descriptor x projects to y = basis · (x/|x| - mean): the mean is that of the L2-normalised
 * training descriptors, so y is centred on the training set.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';

/** A PCA file pair that is missing, malformed or does not fit its teacher. */
export class TeacherPcaError extends Error {
  constructor(
    /** The `.json` file of the pair. */
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'TeacherPcaError';
  }
}

/** How far from 1 a basis row's norm may be (float32 rounding of a unit vector is ~1e-7). */
const UNIT_TOLERANCE = 1e-3;

/** A loaded, validated teacher PCA. */
export interface TeacherPca {
  /** The `.json` file it was read from. */
  readonly file: string;
  /** The teacher the PCA was fitted on, as the JSON names it. */
  readonly teacher: string;
  readonly inputDim: number;
  /** The projected dimension. */
  readonly dim: number;
  /** How many training descriptors the PCA was fitted on. */
  readonly rows: number;
  /** The first 12 hex digits of the SHA-256 of both files: changes whenever the projection does. */
  readonly hash: string;
  readonly mean: Float32Array;
  /** `dim` rows of `inputDim`, row-major. */
  readonly basis: Float32Array;
  /** basis · (x/|x| - mean) of a raw descriptor of length `inputDim`. */
  project(x: ArrayLike<number>): Float32Array;
}

/** The `.bin` file that goes with a `.json` PCA file (same name, `.bin`). */
export function pcaBinFile(jsonFile: string): string {
  return jsonFile.replace(/(\.json)?$/, '.bin');
}

function positiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Reads and validates `jsonFile` and the `.bin` beside it; throws a {@link TeacherPcaError}. */
export function readTeacherPca(jsonFile: string): TeacherPca {
  const binFile = pcaBinFile(jsonFile);
  const fail = (message: string, cause?: unknown): never => {
    throw new TeacherPcaError(jsonFile, message, cause === undefined ? undefined : { cause });
  };
  let jsonBytes: Buffer, bin: Buffer, meta: Record<string, unknown>;
  try {
    jsonBytes = fs.readFileSync(jsonFile);
    bin = fs.readFileSync(binFile);
  } catch (error) {
    return fail(`cannot read the PCA file pair (${(error as Error).message})`, error);
  }
  try {
    meta = JSON.parse(jsonBytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    return fail('not JSON', error);
  }
  const { teacher, inputDim, dim, rows } = meta;
  if (typeof teacher !== 'string' || teacher === '') return fail('"teacher" must be a non-empty string');
  if (!positiveInteger(inputDim) || !positiveInteger(dim) || !positiveInteger(rows)) return fail('"inputDim", "dim" and "rows" must be positive integers');
  if (dim > inputDim) return fail(`"dim" ${dim} exceeds "inputDim" ${inputDim}`);
  const expected = 4 * inputDim * (1 + dim);
  if (bin.length !== expected) return fail(`${binFile} holds ${bin.length} bytes; mean[${inputDim}] and basis[${dim}][${inputDim}] in float32 take ${expected}`);

  const view = new DataView(bin.buffer, bin.byteOffset, bin.length);
  const floats = Float32Array.from({ length: bin.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
  if (!floats.every(Number.isFinite)) return fail(`${binFile} holds NaN or infinite values`);
  const mean = floats.subarray(0, inputDim);
  const basis = floats.subarray(inputDim);
  for (let j = 0; j < dim; j++) {
    // A wrong layout (column-major, mean after the basis) breaks unit rows: catch it here.
    let norm = 0;
    for (let i = 0; i < inputDim; i++) norm += basis[j * inputDim + i]! ** 2;
    if (Math.abs(Math.sqrt(norm) - 1) > UNIT_TOLERANCE) return fail(`basis row ${j} has norm ${Math.sqrt(norm).toFixed(4)}, not 1 (is the layout mean, then basis rows?)`);
  }
  const hash = createHash('sha256').update(jsonBytes).update('\0').update(bin).digest('hex').slice(0, 12);

  return {
    file: jsonFile, teacher, inputDim, dim, rows, hash, mean, basis,
    project(x) {
      if (x.length !== inputDim) throw new RangeError(`teacher PCA: descriptor of length ${x.length}, expected ${inputDim}`);
      let norm = 0;
      for (let i = 0; i < inputDim; i++) norm += x[i]! ** 2;
      norm = Math.sqrt(norm);
      if (!(norm > 0 && Number.isFinite(norm))) throw new RangeError('teacher PCA: a zero or non-finite descriptor has no direction');
      const centred = Float64Array.from({ length: inputDim }, (_, i) => x[i]! / norm - mean[i]!);
      const y = new Float32Array(dim);
      for (let j = 0; j < dim; j++) {
        let dot = 0;
        for (let i = 0; i < inputDim; i++) dot += basis[j * inputDim + i]! * centred[i]!;
        y[j] = dot;
      }
      return y;
    },
  };
}
