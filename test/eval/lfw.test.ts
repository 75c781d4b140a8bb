/**
 * Integration: `facevq eval` on a few real faces of LFW (2 folds x 2 + 2 pairs) and ORL (2
 * identities), through face-api, the SDK encoder, the codec and the head. Needs `../shared/data`
 * (CI has it); skips with the reason otherwise. Caches go to a temporary folder, so every run
 * detects afresh.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_cli.js';
import { run } from '../../src/cli/eval.js';
import { imagesOf, parseLfwPairs } from '../../src/eval/pairs.js';
import { syntheticProfile } from './synthetic-profile.js';

const DATA = path.resolve('../shared/data');
const LFW = path.join(DATA, 'lfw');
const PAIRS = path.join(DATA, 'lfw-protocol', 'pairs.txt');
const ORL = path.join(DATA, 'orl');
const ENCODER = path.resolve('models/encoder.onnx');
const DECODER = path.resolve('models/decoder-m.onnx');
const missing = [LFW, PAIRS, ORL, ENCODER].filter((p) => !fs.existsSync(p));
const reason = missing.length ? `skipped: ${missing.join(', ')} not found (the shared data sets and the encoder model are needed)` : '';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-eval-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

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
    const methods = ['facevq:m', 'teacher', 'teacher-int8', 'teacher-1bit', ...(fs.existsSync(DECODER) ? ['paper:reconstruct-m'] : [])];

    const out = await evalCli(['lfw', '--data', LFW, '--pairs', pairsFile, '--profile', profileFile, '--methods', methods.join(','), '--json', '--cache', path.join(tmp, 'cache'), '--out', path.join(tmp, 'out')]);
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
    expect(byName.teacher!.auc).toBeGreaterThan(0.9); // the teacher separates these 8 pairs
    const svg = fs.readFileSync(path.join(tmp, 'out', 'roc-lfw.svg'), 'utf8');
    expect(svg.match(/<polyline /g)).toHaveLength(methods.length);

    // A second run reads every embedding from the cache.
    const again = JSON.parse(await evalCli(['lfw', '--data', LFW, '--pairs', pairsFile, '--profile', profileFile, '--methods', methods.join(','), '--json', '--cache', path.join(tmp, 'cache'), '--out', path.join(tmp, 'out')])) as typeof report & { notes: string[] };
    expect(again.methods).toEqual(report.methods);
    expect(again.notes.filter((n) => n.includes('computed'))).toEqual([]);
  }, 300_000);

  it('identifies ORL faces (PGM) with enrolled templates', async () => {
    const out = await evalCli(['identify', '--data', ORL, '--limit', '2', '--enroll', '5', '--methods', 'teacher,teacher-1bit', '--json', '--cache', path.join(tmp, 'cache'), '--out', path.join(tmp, 'out')]);
    const report = JSON.parse(out) as { methods: { name: string; top1: number; top5: number; bytesMean: number }[]; images: number };
    expect(report.images).toBe(20);
    expect(report.methods.map((m) => m.name)).toEqual(['teacher', 'teacher-1bit']);
    for (const m of report.methods) {
      expect(m.top5).toBe(1); // two identities: the truth is always in the top 5
      expect(m.top1).toBeGreaterThanOrEqual(0.5);
    }
  }, 300_000);
});

describe.skipIf(missing.length > 0)(`image-codec baselines on real crops${reason ? ` (${reason})` : ''}`, () => {
  it('crops exactly what face-api crops, and calibrates a byte budget', async () => {
    const { FaceApi } = await import('../../src/sdk/node/faceapi.js');
    const { decodeImage } = await import('../../src/sdk/node/image.js');
    const { boxCrop, calibrationTable, chooseSetting } = await import('../../src/eval/methods/image-codec.js');
    const faceApi = await FaceApi.load();
    const crops = [];
    for (const file of ['Abel_Pacheco/Abel_Pacheco_0001.jpg', 'Akhmed_Zakayev/Akhmed_Zakayev_0003.jpg']) {
      const image = await decodeImage(path.join(LFW, file));
      const face = (await faceApi.detect(image, true))!;
      const crop = boxCrop(image, face.box);
      // The JPEG/WebP baselines differ from the teacher only by compression.
      expect(await faceApi.descriptorOfCrop(crop)).toEqual(await faceApi.descriptor(image, face.box));
      crops.push(crop);
    }
    const table = await calibrationTable('webp', crops);
    const { row } = chooseSetting(table, 300);
    expect(row.meanBytes).toBeLessThanOrEqual(300);
    expect(table.filter((r) => r.meanBytes <= 300).every((r) => r.psnr <= row.psnr)).toBe(true);
  }, 300_000);
});
