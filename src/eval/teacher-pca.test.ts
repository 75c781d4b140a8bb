import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { orthonormalRows, writeTeacherPca } from '../../test/eval/synthetic-pca.js';
import { pcaBinFile, readTeacherPca, TeacherPcaError } from './teacher-pca.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-pca-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A 4-D input projected on 2 directions, with a mean that is easy to follow by hand. */
const TINY = { teacher: 'faceres-0123456789.chip-bgr-caffe', mean: [0.1, 0, 0, 0], basis: [1, 0, 0, 0, 0, 0.6, 0.8, 0], dim: 2, rows: 7 };

function tinyFile(name: string, contents: Partial<typeof TINY> = {}): string {
  const file = path.join(dir, `${name}.json`);
  writeTeacherPca(file, { ...TINY, ...contents });
  return file;
}

describe('readTeacherPca', () => {
  it('reads the header and projects y = basis . (x/|x| - mean)', () => {
    const pca = readTeacherPca(tinyFile('tiny'));
    expect(pca).toMatchObject({ teacher: TINY.teacher, inputDim: 4, dim: 2, rows: 7 });
    expect(pca.hash).toMatch(/^[0-9a-f]{12}$/);
    // x/|x| = (0.6, 0, 0.8, 0); minus the mean (0.5, 0, 0.8, 0); on the rows: 0.5 and 0.8 * 0.8.
    const y = pca.project([3, 0, 4, 0]);
    expect(y).toBeInstanceOf(Float32Array);
    expect(y[0]).toBeCloseTo(0.5, 6);
    expect(y[1]).toBeCloseTo(0.64, 6);
    // Only the direction of x counts.
    expect([...pca.project([30, 0, 40, 0])]).toEqual([...y]);
  });

  it('hashes the contents of both files', () => {
    const a = readTeacherPca(tinyFile('hash-a'));
    expect(readTeacherPca(tinyFile('hash-b')).hash).toBe(a.hash);
    expect(readTeacherPca(tinyFile('hash-c', { mean: [0.2, 0, 0, 0] })).hash).not.toBe(a.hash);
    expect(readTeacherPca(tinyFile('hash-d', { rows: 8 })).hash).not.toBe(a.hash);
  });

  it('projects a real-sized file (1024 -> 128) onto orthonormal rows', () => {
    const file = path.join(dir, 'big.json');
    const basis = orthonormalRows(128, 1024, 3);
    writeTeacherPca(file, { teacher: TINY.teacher, mean: new Float32Array(1024), basis, dim: 128 });
    const pca = readTeacherPca(file);
    // x along basis row 5: y is the unit vector e5.
    const y = pca.project(basis.slice(5 * 1024, 6 * 1024).map((v) => 3 * v));
    expect(y[5]).toBeCloseTo(1, 5);
    expect(Math.hypot(...y)).toBeCloseTo(1, 5);
  });

  it('names the .bin beside the .json', () => {
    expect(pcaBinFile('models/build/teacher-pca.json')).toBe('models/build/teacher-pca.bin');
  });

  const rejects = (file: string, message: RegExp) => {
    let error: unknown;
    try {
      readTeacherPca(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TeacherPcaError);
    expect((error as TeacherPcaError).file).toBe(file);
    expect((error as Error).message).toMatch(message);
  };

  it('rejects a .bin of the wrong size', () => {
    const file = tinyFile('short');
    fs.writeFileSync(pcaBinFile(file), fs.readFileSync(pcaBinFile(file)).subarray(4));
    rejects(file, /holds 44 bytes; mean\[4\] and basis\[2\]\[4\] in float32 take 48/);
  });

  it('rejects missing files, bad JSON and bad headers', () => {
    rejects(path.join(dir, 'absent.json'), /cannot read/);
    const noBin = tinyFile('no-bin');
    fs.rmSync(pcaBinFile(noBin));
    rejects(noBin, /cannot read/);
    const notJson = tinyFile('not-json');
    fs.writeFileSync(notJson, '{"teacher":');
    rejects(notJson, /not JSON/);
    const header = (name: string, json: object) => {
      const file = tinyFile(name);
      fs.writeFileSync(file, JSON.stringify(json));
      return file;
    };
    rejects(header('no-teacher', { inputDim: 4, dim: 2, rows: 7 }), /"teacher"/);
    rejects(header('fraction', { teacher: 't', inputDim: 4, dim: 1.5, rows: 7 }), /positive integers/);
    rejects(header('too-wide', { teacher: 't', inputDim: 4, dim: 5, rows: 7 }), /exceeds/);
  });

  it('rejects rows that are not unit length and values that are not finite', () => {
    rejects(tinyFile('not-unit', { basis: [1, 0, 0, 0, 0, 0.6, 0.6, 0] }), /basis row 1 has norm 0\.8485/);
    rejects(tinyFile('nan', { mean: [NaN, 0, 0, 0] }), /NaN/);
  });

  it('refuses descriptors of the wrong length or without a direction', () => {
    const pca = readTeacherPca(tinyFile('inputs'));
    expect(() => pca.project([1, 2, 3])).toThrow(RangeError);
    expect(() => pca.project([0, 0, 0, 0])).toThrow(/no direction/);
  });
});
