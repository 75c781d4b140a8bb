import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orthonormalRows, writeTeacherPca } from '../../test/eval/synthetic-pca.js';
import { alignFace, FACE_TEMPLATE } from '../sdk/align.js';
import type { FaceApi } from '../sdk/node/faceapi.js';
import type { RgbImage } from '../sdk/node/image.js';
import { codeKey } from './code-versions.js';
import type { CachedDescriptor, Face } from './faces.js';
import { CHIP_SIDE, faceChip, openTeacher, teacherIdOf } from './teacher.js';
import { readTeacherPca, TeacherPcaError } from './teacher-pca.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-teacher-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const FACERES_ID = 'faceres-0123456789.chip-bgr-caffe';
const pcaFile = path.join(dir, 'teacher-pca.json');
writeTeacherPca(pcaFile, { teacher: FACERES_ID, mean: new Float32Array(1024).fill(0.01), basis: orthonormalRows(16, 1024), dim: 16 });

/** A face-api loader that must not be called: faceres would load after it. */
const NOT_LOADED = new Error('the teacher tried to run faceres');
const refuse = (): Promise<FaceApi> => Promise.reject(NOT_LOADED);

/** A 96x80 gradient with landmarks on the template scaled to a 60 px face at (10, 5). */
function syntheticFace(cachedTeacher?: CachedDescriptor): Face {
  const image: RgbImage = { data: new Uint8Array(96 * 80 * 3).map((_, i) => (i * 7) % 256), width: 96, height: 80 };
  const landmarks5 = FACE_TEMPLATE.map((v, i) => (i % 2 === 0 ? 10 : 5) + 60 * v);
  return { path: 'a.jpg', box: { x: 10, y: 5, width: 60, height: 60 }, landmarks5, fallback: false, cachedTeacher, image: async () => image };
}

const raw = Float32Array.from({ length: 1024 }, (_, i) => Math.cos(i));

describe('openTeacher', () => {
  it('names faceres and the PCA in its id', () => {
    const teacher = openTeacher(pcaFile, refuse);
    expect(teacher.id).toBe(`${FACERES_ID}+pca-${readTeacherPca(pcaFile).hash}`);
    expect(teacher.dim).toBe(16);
    expect(teacher.describe()).toContain(`${FACERES_ID} (faceres`);
  });

  it('projects the cached raw descriptor of its own faceres, loading nothing', async () => {
    const teacher = openTeacher(pcaFile, refuse);
    const face = syntheticFace({ teacher: `${FACERES_ID}: faceres on the 64x64 chip`, chipSide: CHIP_SIDE, code: codeKey('teacher'), descriptor: raw });
    expect([...(await teacher.embedFace(face))]).toEqual([...readTeacherPca(pcaFile).project(raw)]);
  });

  it('runs faceres when the cache is another teacher\'s, another chip size or other code\'s', async () => {
    const teacher = openTeacher(pcaFile, refuse);
    // Running faceres here first checks the installed model against the PCA's (this test's PCA
    // names a made-up one), and so fails before any network would load: proof that it tried.
    const tried = /fitted on faceres-0123456789.*installed model is faceres-/;
    const dlib = { teacher: 'face-api faceRecognitionNet (dlib ResNet-34), face-api box crop', chipSide: CHIP_SIDE, code: codeKey('teacher'), descriptor: raw.slice(0, 128) };
    await expect(teacher.embedFace(syntheticFace(dlib))).rejects.toThrow(tried);
    const other = openTeacher(pcaFile, refuse);
    await expect(other.embedFace(syntheticFace({ teacher: FACERES_ID, chipSide: 112, code: codeKey('teacher'), descriptor: raw }))).rejects.toThrow(tried);
    const stale = openTeacher(pcaFile, refuse);
    await expect(stale.embedFace(syntheticFace({ teacher: FACERES_ID, chipSide: CHIP_SIDE, code: 'teacher=0123456789ab', descriptor: raw }))).rejects.toThrow(tried);
  });

  it('takes only chips of the student\'s side', async () => {
    await expect(openTeacher(pcaFile, refuse).embedChip({ data: new Uint8Array(32 * 32 * 3), width: 32, height: 32 })).rejects.toThrow(RangeError);
  });

  it('refuses a PCA of another input size', () => {
    const small = path.join(dir, 'small.json');
    writeTeacherPca(small, { teacher: FACERES_ID, mean: new Float32Array(128), basis: orthonormalRows(8, 128), dim: 8 });
    expect(() => openTeacher(small, refuse)).toThrow(TeacherPcaError);
  });
});

describe('faceChip', () => {
  it('is the aligned chip the student sees', async () => {
    const face = syntheticFace();
    const image = await face.image();
    const chip = await faceChip(face);
    expect([chip.width, chip.height]).toEqual([CHIP_SIDE, CHIP_SIDE]);
    expect(chip.data).toEqual(alignFace(image.data, image.width, image.height, 3, face.landmarks5, CHIP_SIDE));
  });
});

describe('teacherIdOf', () => {
  it('reads the id before the description', () => {
    expect(teacherIdOf('faceres-ab.chip-bgr-caffe: faceres (...) raw 1024-D')).toBe('faceres-ab.chip-bgr-caffe');
    expect(teacherIdOf('faceres-ab.chip-bgr-caffe')).toBe('faceres-ab.chip-bgr-caffe');
  });
});
