/**
 * Integration: `facevq eval` on a few real faces of LFW (2 folds x 2 + 2 pairs) and ORL (2
 * identities), through face-api, the SDK encoder, the codec, the head and the faceres teacher.
 * Needs `../shared/data` (CI has it); skips with the reason otherwise. Caches go to a temporary
 * folder, so every run detects afresh.
 *
 * The teacher's PCA is made here, not trained: the mean of a few UTKFace descriptors (the training
 * set, never LFW) and a seeded random orthonormal basis, which keeps the centred descriptors'
 * cosines roughly. Enough to exercise the teacher's path; its numbers are not the trained PCA's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_cli.js';
import { run } from '../../src/cli/eval.js';
import { imagesOf, parseLfwPairs } from '../../src/eval/pairs.js';
import { orthonormalRows, writeTeacherPca } from './synthetic-pca.js';
import { syntheticProfile } from './synthetic-profile.js';

const DATA = path.resolve('../shared/data');
const LFW = path.join(DATA, 'lfw');
const PAIRS = path.join(DATA, 'lfw-protocol', 'pairs.txt');
const DEV_TRAIN = path.join(DATA, 'lfw-protocol', 'pairsDevTrain.txt');
const ORL = path.join(DATA, 'orl');
const UTKFACE = path.join(DATA, 'utkface');
const ENCODER = path.resolve('models/encoder.onnx');
const DECODER = path.resolve('models/decoder-m.onnx');
const missing = [LFW, PAIRS, DEV_TRAIN, ORL, UTKFACE, ENCODER].filter((p) => !fs.existsSync(p));
const reason = missing.length ? `skipped: ${missing.join(', ')} not found (the shared data sets and the encoder model are needed)` : '';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let pcaFile: Promise<string> | undefined;

/** The test's teacher PCA (see the file comment), made once. */
function teacherPca(): Promise<string> {
  return (pcaFile ??= (async () => {
    const { FaceApi } = await import('../../src/sdk/node/faceapi.js');
    const { FaceRes, FACERES_DIM } = await import('../../src/sdk/node/faceres.js');
    const { decodeImage } = await import('../../src/sdk/node/image.js');
    const { alignFace } = await import('../../src/sdk/align.js');
    const faceApi = await FaceApi.load({ descriptor: false });
    const faceres = await FaceRes.load();
    const mean = new Float64Array(FACERES_DIM);
    const files = fs.readdirSync(UTKFACE).sort().slice(0, 8);
    for (const file of files) {
      const image = await decodeImage(path.join(UTKFACE, file));
      const face = (await faceApi.detect(image, true))!;
      const [x] = await faceres.describe([alignFace(image.data, image.width, image.height, 3, face.landmarks5, 64)], 64);
      const norm = Math.hypot(...x!);
      x!.forEach((v, i) => (mean[i]! += v / norm / files.length));
    }
    const file = path.join(tmp, 'teacher-pca.json');
    writeTeacherPca(file, { teacher: faceres.id, mean, basis: orthonormalRows(128, FACERES_DIM), dim: 128, rows: files.length });
    return file;
  })());
}

/** Runs `facevq eval` and returns what it printed on stdout. */
async function evalCli(argv: string[]): Promise<string> {
  const { code, stdout } = await runCli(run, argv);
  expect(code).toBe(0);
  return stdout;
}

describe.skipIf(missing.length > 0)(`facevq eval on real faces${reason ? ` (${reason})` : ''}`, () => {
  it('runs LFW 2 folds x 4 pairs through every path and prints one JSON object', async () => {
    // The first 2 matched and 2 mismatched pairs of folds 1 and 2 of pairs.txt.
    const lines = fs.readFileSync(PAIRS, 'utf8').split('\n');
    const fold = (k: number) => [...lines.slice(1 + k * 600, 3 + k * 600), ...lines.slice(301 + k * 600, 303 + k * 600)];
    const pairsFile = path.join(tmp, 'pairs-mini.txt');
    fs.writeFileSync(pairsFile, ['2\t2', ...fold(0), ...fold(1)].join('\n') + '\n');
    const profileFile = path.join(tmp, 'm.fvqp');
    fs.writeFileSync(profileFile, syntheticProfile({ name: 'm', id: 1, planes: 4, k: 64, maxBytes: 51, encoderFile: ENCODER }));
    const methods = ['facevq:m', 'teacher', 'teacher-int8', 'teacher-1bit', 'jpeg:1200', ...(fs.existsSync(DECODER) ? ['paper:reconstruct-m'] : [])];
    const argv = ['lfw', '--data', LFW, '--pairs', pairsFile, '--calibration', DEV_TRAIN, '--profile', profileFile, '--teacher-pca', await teacherPca(), '--methods', methods.join(','), '--json', '--cache', path.join(tmp, 'cache'), '--out', path.join(tmp, 'out')];

    const out = await evalCli(argv);
    const report = JSON.parse(out) as { methods: Record<string, number | string>[]; images: number; faces: { fallback: number } };
    expect(report.methods.map((m) => m.name)).toEqual(methods);
    expect(report.images).toBe(imagesOf(parseLfwPairs(fs.readFileSync(pairsFile, 'utf8'))).length);
    const byName = Object.fromEntries(report.methods.map((m) => [m.name, m]));
    for (const m of report.methods) {
      for (const key of ['bytesMean', 'bytesMax', 'accuracyMean', 'accuracyStd', 'tarAtFar1e3', 'auc']) expect(typeof m[key]).toBe('number');
      expect(m.failures).toBe(0);
    }
    expect(byName.teacher).toMatchObject({ bytesMean: 512, bytesMax: 512 });
    expect(byName['teacher-int8']).toMatchObject({ bytesMean: 132 });
    expect(byName['teacher-1bit']).toMatchObject({ bytesMean: 16 });
    expect(byName['facevq:m']!.bytesMax).toBeLessThanOrEqual(51);
    expect(byName['jpeg:1200']!.bytesMean).toBeLessThanOrEqual(1200 * 1.5); // the budget holds on the calibration mean, not per face
    expect(byName.teacher!.auc).toBeGreaterThan(0.9); // the teacher separates these 8 pairs
    const svg = fs.readFileSync(path.join(tmp, 'out', 'roc-lfw.svg'), 'utf8');
    expect(svg.match(/<polyline /g)).toHaveLength(methods.length);

    // A second run reads every embedding from the cache.
    const again = JSON.parse(await evalCli(argv)) as typeof report & { notes: string[] };
    expect(again.methods).toEqual(report.methods);
    expect(again.notes.filter((n) => n.includes('computed'))).toEqual([]);
    expect(again.notes).toContain('calibration faces (image codec settings, our mean bytes): the first 16 sorted images of pairsDevTrain.txt, 0 of them evaluated');

    // View 2 is for reporting: choosing the calibration faces on it is refused.
    await expect(run([...argv.slice(0, 5), '--calibration', PAIRS, ...argv.slice(7)])).rejects.toThrow(/pairs\.txt is LFW View 2.*reporting only/);
  }, 300_000);

  it('identifies ORL faces (PGM) with enrolled templates', async () => {
    const out = await evalCli(['identify', '--data', ORL, '--limit', '2', '--enroll', '5', '--teacher-pca', await teacherPca(), '--methods', 'teacher,teacher-1bit', '--json', '--cache', path.join(tmp, 'cache'), '--out', path.join(tmp, 'out')]);
    const report = JSON.parse(out) as { methods: { name: string; top1: number; top5: number; bytesMean: number }[]; images: number };
    expect(report.images).toBe(20);
    expect(report.methods.map((m) => m.name)).toEqual(['teacher', 'teacher-1bit']);
    for (const m of report.methods) {
      expect(m.top5).toBe(1); // two identities: the truth is always in the top 5
      expect(m.top1).toBeGreaterThanOrEqual(0.5);
    }
  }, 300_000);
});

describe.skipIf(missing.length > 0)(`image-codec baselines on real chips${reason ? ` (${reason})` : ''}`, () => {
  it('compress the aligned chip the teacher sees, and calibrate a byte budget', async () => {
    const { FaceApi } = await import('../../src/sdk/node/faceapi.js');
    const { decodeImage } = await import('../../src/sdk/node/image.js');
    const { calibrationTable, chooseSetting, compress, decompress } = await import('../../src/eval/methods/image-codec.js');
    const { CHIP_SIDE, faceChip, openTeacher } = await import('../../src/eval/teacher.js');
    const { cosine } = await import('../../src/eval/metrics.js');
    const { codeKey } = await import('../../src/eval/code-versions.js');
    const { FaceRes } = await import('../../src/sdk/node/faceres.js');
    const { alignFace } = await import('../../src/sdk/align.js');
    const faceApi = await FaceApi.load({ descriptor: false });
    const faceres = await FaceRes.load();
    const teacher = openTeacher(await teacherPca(), async () => faceApi);
    const chips = [];
    for (const file of ['Abel_Pacheco/Abel_Pacheco_0001.jpg', 'Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg']) {
      const image = await decodeImage(path.join(LFW, file));
      const detected = (await faceApi.detect(image, true))!;
      // Landmarks as a cache stores them (JSON), the chip as the baseline sends it uncompressed.
      const landmarks5 = JSON.parse(JSON.stringify(detected.landmarks5)) as number[];
      const chip = await faceChip({ path: file, box: detected.box, landmarks5, fallback: false, image: async () => image });
      // The reference comes from another path: faceres's raw descriptor as `facevq teacher` caches
      // it, projected by embedFace, which may not touch the image (so it must use the cache).
      const [raw] = await faceres.describe([alignFace(image.data, image.width, image.height, 3, detected.landmarks5, CHIP_SIDE)], CHIP_SIDE);
      const cachedTeacher = { teacher: faceres.id, chipSide: CHIP_SIDE, code: codeKey('teacher'), descriptor: raw! };
      const reference = await teacher.embedFace({ path: file, box: detected.box, landmarks5, fallback: false, cachedTeacher, image: () => Promise.reject(new Error('embedFace ignored the cached descriptor')) });
      // Without compression the baseline is the teacher; at 64 px q90 it stays close.
      // (Equal up to float rounding: the teacher may run on onnxruntime-node, the reference on tfjs.)
      const direct = await teacher.embedChip(chip);
      expect(Math.max(...direct.map((v, i) => Math.abs(v - reference[i]!)))).toBeLessThan(1e-3);
      const sent = await decompress(await compress(chip, { format: 'jpeg', side: 64, quality: 90 }));
      expect(cosine(await teacher.embedChip(sent), reference)).toBeGreaterThan(0.9);
      chips.push(chip);
    }
    const table = await calibrationTable('webp', chips);
    const { row } = chooseSetting(table, 300);
    expect(row.meanBytes).toBeLessThanOrEqual(300);
    expect(table.filter((r) => r.meanBytes <= 300).every((r) => r.psnr <= row.psnr)).toBe(true);
  }, 300_000);
});
