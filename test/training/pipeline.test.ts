/**
 * The training pipeline end to end, as CI runs it: `facevq teacher` on a handful of real UTKFace
 * images, a one-epoch smoke training, the export, `facevq profile build`, and the SDK encoding a
 * real face with the freshly exported encoder and profile. Never the full training run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProfileFromExport } from '../../src/cli/profile.js';
import { decodeGrid, embedGrid, readProfile } from '../../src/codec/index.js';
import { FaceEncoder } from '../../src/sdk/index.js';
import { alignFace } from '../../src/sdk/align.js';
import type { Face } from '../../src/eval/faces.js';
import { findPaperModels, paperRecognizerMethod } from '../../src/eval/methods/paper-vqvae.js';

const PYTHON = '/usr/bin/python3';
const UTK = path.resolve('../shared/data/utkface');

function torchMissing(): string | undefined {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return `${PYTHON} cannot import torch and onnx (apt-get install python3-torch python3-onnx; .ci/run does)`;
  }
}

const skip = torchMissing() ?? (fs.existsSync(UTK) ? undefined : `${UTK} is absent (the datasets live in ../shared/data; CI has them)`);
if (skip) console.warn(`skipping the training pipeline test: ${skip}`);

describe.skipIf(skip !== undefined)('training pipeline (smoke)', () => {
  it('caches teacher targets, trains one epoch, exports, builds a profile and encodes a face with it', { timeout: 600_000 }, async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-train-'));
    const cache = path.join(work, 'teacher');
    const tsx = path.resolve('node_modules/.bin/tsx');
    // The teacher runs on onnxruntime-node from a graph built out of human-models' own files.
    const graph = path.join(work, 'faceres.onnx');
    execFileSync(PYTHON, ['training/faceres.py', '--onnx', graph], { stdio: 'pipe' });
    execFileSync(tsx, ['src/cli/main.ts', 'teacher', '--data', UTK, '--out', cache, '--limit', '48', '--teacher-onnx', graph], { stdio: 'pipe' });
    const index = fs.readFileSync(path.join(cache, 'index.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(index).toHaveLength(48);
    expect(index.filter((r) => r.status === 'ok').length).toBeGreaterThan(24);

    const config = JSON.parse(fs.readFileSync('training/configs/v3.json', 'utf8'));
    fs.writeFileSync(path.join(work, 'smoke.json'), JSON.stringify({ ...config, shards: [cache] }));
    const out = path.join(work, 'run');
    const log = execFileSync(PYTHON, ['training/train.py', '--config', path.join(work, 'smoke.json'), '--smoke', '--out', out], { encoding: 'utf8' });
    expect(log).not.toContain('SYNTHETIC'); // it trained on the real cached faces
    // A second schedule from the first run's weights (v4 starts from v3 so), as v7 does: with the
    // input mask, which the first run lacks, and a shard that only trains (here the same rows again).
    const v7 = { input_mask: 0.5, extra_shards: [cache] };
    fs.writeFileSync(path.join(work, 'again.json'), JSON.stringify({ ...config, ...v7, shards: [cache], init: path.join(out, 'last.pt') }));
    const again = execFileSync(PYTHON, ['training/train.py', '--config', path.join(work, 'again.json'), '--smoke', '--out', path.join(work, 'again')], { encoding: 'utf8' });
    expect(again).toContain(`weights from ${path.join(out, 'last.pt')} (epoch 1`);
    expect(again).toContain(`'extra_rows': 48`);
    expect(again).toMatch(/input mask: 0\.\d+ of the chip is black/);
    const models = path.join(work, 'models');
    execFileSync(PYTHON, ['training/export.py', '--ckpt', path.join(work, 'again', 'last.pt'), '--out', models], { stdio: 'pipe' });
    // faceres is 1024-D: the export carries the PCA that maps it to the 128-D training targets.
    const pca = JSON.parse(fs.readFileSync(path.join(models, 'build', 'teacher-pca.json'), 'utf8'));
    expect([pca.inputDim, pca.dim]).toEqual([1024, 128]);
    expect(fs.statSync(path.join(models, 'build', 'teacher-pca.bin')).size).toBe(4 * (1024 + 128 * 1024));

    // v3 stores the encoder's weights as float16 (behind Casts) to fit 300 KB.
    const manifest = JSON.parse(fs.readFileSync(path.join(models, 'build', 'm.json'), 'utf8'));
    expect(manifest.encoder).toMatchObject({ weights: 'float16', onnxBytes: fs.statSync(path.join(models, 'encoder.onnx')).size });
    expect(manifest.encoder.inputMasked).toBeGreaterThan(0); // the mask is in the graph: a Mul
    expect(manifest.encoder.mflopsByOp.Mul).toBeGreaterThan(0);
    expect(manifest.encoder.onnxBytes).toBeLessThanOrEqual(300_000);
    expect(manifest.encoder.mflops).toBeLessThanOrEqual(25);

    const profileBytes = buildProfileFromExport(path.join(models, 'build', 'm.json'));
    const profile = readProfile(profileBytes);
    expect(profile.name).toBe('m');
    expect(profile.maxBytes).toBe(51);

    const encoder = await FaceEncoder.load({ profile: profileBytes, runtime: 'ts', modelBytes: fs.readFileSync(path.join(models, 'encoder.onnx')) });
    const first = index.find((r) => r.status === 'ok');
    const crops = fs.readFileSync(path.join(cache, 'crops.u8'));
    const row = index.indexOf(first);
    const chip = new Uint8Array(crops.buffer, crops.byteOffset + row * 64 * 64 * 3, 64 * 64 * 3);
    // The cached crop is the chip itself: landmarks on the template give the identity transform.
    const landmarks5 = profile.crop.template.map((v) => v * 64);
    expect(Array.from(alignFace(chip, 64, 64, 3, landmarks5, 64))).toEqual(Array.from(chip));
    const { payload } = await encoder.encode({ pixels: chip, width: 64, height: 64, channels: 3, landmarks5 });
    expect(payload.length).toBeLessThanOrEqual(51);
    const decoded = decodeGrid(payload, profile);
    expect(embedGrid(decoded.grid, profile)).toHaveLength(128);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('trains v8\'s way: augmented views, labels, a start from the shipped models', { timeout: 600_000 }, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-train-v8-'));
    const cache = path.join(work, 'views');
    const graph = path.join(work, 'faceres.onnx');
    execFileSync(PYTHON, ['training/faceres.py', '--onnx', graph], { stdio: 'pipe' });
    const teacher = ['src/cli/main.ts', 'teacher', '--data', UTK, '--out', cache, '--limit', '40', '--teacher-onnx', graph,
      '--views', '3', '--augment', '5', '--detect', 'box:0,0.06,1,0.9'];
    execFileSync(path.resolve('node_modules/.bin/tsx'), teacher, { stdio: 'pipe' });
    const meta = JSON.parse(fs.readFileSync(path.join(cache, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ views: 3, chipsPerRow: 3, augment: { seed: 5, recipe: 'view-jitter-v1' } });
    expect(fs.statSync(path.join(cache, 'crops.u8')).size).toBe(40 * 3 * 64 * 64 * 3);

    // UTKFace names start with the age: as a stand-in identity it exercises the labelled path.
    const config = JSON.parse(fs.readFileSync('training/configs/v8.json', 'utf8'));
    const excludeFile = path.join(work, 'exclude.json');
    const first = fs.readFileSync(path.join(cache, 'index.jsonl'), 'utf8').split('\n')[0]!;
    fs.writeFileSync(excludeFile, JSON.stringify({ exclude: [`views/${JSON.parse(first).path}`] }));
    fs.writeFileSync(path.join(work, 'v8.json'), JSON.stringify({ ...config, shards: [{ path: cache, identity: 'prefix' }], exclude: excludeFile }));
    const log = execFileSync(PYTHON, ['training/train.py', '--config', path.join(work, 'v8.json'), '--smoke', '--out', path.join(work, 'run')], { encoding: 'utf8' });
    expect(log).toContain(`'excluded': 1`);
    expect(log).toContain(`'views': 3`);
    expect(log).toMatch(/identity loss: \d+ identities/);
    expect(log).toMatch(/"id_m": \d/);
    // The warm start keeps the shipped teacher PCA: no refit is logged.
    expect(log).not.toContain('teacher PCA 1024');
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('trains and exports the paper baseline (training/paper.py): a reconstruction VQ-VAE and a recognizer on its output', { timeout: 600_000 }, async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-paper-'));
    const cache = path.join(work, 'views');
    const graph = path.join(work, 'faceres.onnx');
    execFileSync(PYTHON, ['training/faceres.py', '--onnx', graph], { stdio: 'pipe' });
    execFileSync(path.resolve('node_modules/.bin/tsx'), ['src/cli/main.ts', 'teacher', '--data', UTK, '--out', cache, '--limit', '24',
      '--teacher-onnx', graph, '--views', '3', '--augment', '5', '--detect', 'box:0,0.06,1,0.9'], { stdio: 'pipe' });
    const config = JSON.parse(fs.readFileSync('training/configs/paper.json', 'utf8'));
    fs.writeFileSync(path.join(work, 'paper.json'), JSON.stringify({ ...config, shards: [cache], exclude: undefined }));
    const models = path.join(work, 'models', 'paper');
    const log = execFileSync(PYTHON, ['training/paper.py', '--config', path.join(work, 'paper.json'), '--smoke', '--out', path.join(work, 'run'), '--export', models], { encoding: 'utf8' });
    expect(log).not.toContain('SYNTHETIC');
    expect(log).toMatch(/recognizer before training: \{"cos_reconstruction": [-\d.]+, "cos_original": [-\d.]+\}/);
    // Resumes where the checkpoint stopped: here the stage is complete, so nothing more trains.
    const resumed = execFileSync(PYTHON, ['training/paper.py', '--config', path.join(work, 'paper.json'), '--stage', 'vqvae', '--resume', '--out', path.join(work, 'run')], { encoding: 'utf8' });
    expect(resumed).toMatch(/resumed .*vqvae\.pt: epoch \d+, step 2, \d+ s trained, finished/);
    expect(resumed).not.toContain('img/s'); // no step ran

    const profileBytes = buildProfileFromExport(path.join(models, 'build', 'paper-m.json'), { maxBytes: 51 });
    fs.writeFileSync(path.join(models, 'paper-m.fvqp'), profileBytes);
    const profile = readProfile(profileBytes);
    expect([profile.h, profile.w, profile.planes.map((p) => p.k)]).toEqual([4, 4, [64, 64, 64, 64]]); // our m's bits
    const encoder = await FaceEncoder.load({ profile: profileBytes, runtime: 'ts', modelBytes: fs.readFileSync(path.join(models, 'encoder.onnx')) });
    const crops = fs.readFileSync(path.join(cache, 'crops.u8'));
    const chip = new Uint8Array(crops.buffer, crops.byteOffset, 64 * 64 * 3);
    const { payload } = await encoder.encode({ pixels: chip, width: 64, height: 64, channels: 3, landmarks5: profile.crop.template.map((v) => v * 64) });
    expect(payload.length).toBeLessThanOrEqual(51);

    // The eval's method (b) end to end on that payload's face: decoder, then the recognizer.
    const paper = findPaperModels(path.dirname(models))!;
    expect(paper).toBeDefined();
    const face: Face = {
      path: 'chip', box: { x: 0, y: 0, width: 64, height: 64 }, fallback: false,
      landmarks5: profile.crop.template.map((v) => v * 64), image: async () => ({ data: chip, width: 64, height: 64 }),
    };
    const { embedding, bytes } = await paperRecognizerMethod(paper).embed(face);
    expect(bytes).toBe(payload.length);
    expect(embedding).toHaveLength(128);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 4);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
