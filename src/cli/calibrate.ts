/**
 * `facevq calibrate`: the profiles' decision thresholds from labelled impostor pairs
 * (src/eval/calibrate.ts), on the shipped path: each face's cached aligned chip (view 0 of a
 * `facevq teacher` cache) through the profile's encoder to payload bytes, `decodeGrid` and the
 * profile's head. Only identities the training config held out (`holdout_identity_mod`) count.
 *
 *   facevq calibrate --cache .cache/teacher/v8/celeba-ids --identity prefix --holdout-mod 20 [--models models] [--write]
 *
 * `--write` stores the thresholds, the measured rates and where they come from in
 * `<models>/build/P.json` and rebuilds `<models>/P.fvqp`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeGrid, embedGrid, readProfile } from '../codec/index.js';
import { FaceEncoder } from '../sdk/face-encoder.js';
import { calibrate, CALIBRATED_FARS, type Calibration } from '../eval/calibrate.js';
import { buildProfileFromExport } from './profile.js';
import { numberOption, option, parseArgs, UsageError } from './args.js';

const CHIP_BYTES = 64 * 64 * 3;
const PROFILES = ['m', 's', 'xs'];

/** A cache's faces of held-out identities: their view-0 chips and CelebA identity ids. */
function heldOutFaces(cache: string, rule: string, holdoutMod: number, repo: string): { chips: Uint8Array[]; ids: number[] } {
  const meta = JSON.parse(fs.readFileSync(path.join(cache, 'meta.json'), 'utf8')) as { chipsPerRow?: number };
  const rowBytes = (meta.chipsPerRow ?? 1) * CHIP_BYTES;
  const rows = fs.readFileSync(path.join(cache, 'index.jsonl'), 'utf8').split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l) as { path: string; status: string });
  let label: (file: string) => number;
  if (rule === 'prefix') label = (file) => Number(path.basename(file).split('_')[0]);
  else if (rule.startsWith('celeba-file:')) {
    const table = new Map(fs.readFileSync(path.join(repo, rule.slice('celeba-file:'.length)), 'utf8').trim().split('\n').map((l) => l.split(/\s+/) as [string, string]).map(([f, id]) => [f, Number(id)]));
    label = (file) => table.get(path.basename(file)) ?? -1;
  } else throw new UsageError(`--identity must be prefix or celeba-file:PATH, got ${rule}`);
  const fd = fs.openSync(path.join(cache, 'crops.u8'), 'r');
  const chips: Uint8Array[] = [], ids: number[] = [];
  rows.forEach((row, i) => {
    const id = label(row.path);
    if (row.status === 'failed' || !(id >= 0) || id % holdoutMod !== 0) return;
    const chip = new Uint8Array(CHIP_BYTES);
    if (fs.readSync(fd, chip, 0, CHIP_BYTES, i * rowBytes) !== CHIP_BYTES) return; // the writer is still on this row
    chips.push(chip);
    ids.push(id);
  });
  fs.closeSync(fd);
  return { chips, ids };
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['cache', 'identity', 'holdout-mod', 'models', 'profile'], ['write', 'help', 'json']);
  const usage = 'usage: facevq calibrate --cache DIR --identity prefix|celeba-file:PATH [--cache DIR --identity RULE]... --holdout-mod N [--models models] [--profile P]... [--write] [--json]';
  const caches = args.options.get('cache') ?? [];
  const rules = args.options.get('identity') ?? [];
  if (args.flags.has('help') || caches.length === 0 || caches.length !== rules.length) throw new UsageError(usage);
  const holdoutMod = numberOption(args, 'holdout-mod', 0);
  if (!(Number.isInteger(holdoutMod) && holdoutMod > 1)) throw new UsageError(`--holdout-mod must be the training config's holdout_identity_mod (an integer > 1)\n${usage}`);
  const models = option(args, 'models', 'models')!;
  const profiles = args.options.get('profile') ?? PROFILES;
  const faces = caches.map((c, i) => heldOutFaces(c, rules[i]!, holdoutMod, process.cwd()));
  const chips = faces.flatMap((f) => f.chips), ids = faces.flatMap((f) => f.ids);
  process.stderr.write(`calibrate: ${chips.length} faces of ${new Set(ids).size} held-out identities\n`);

  const report: Record<string, Calibration> = {};
  for (const name of profiles) {
    const profileBytes = new Uint8Array(fs.readFileSync(path.join(models, `${name}.fvqp`)));
    const profile = readProfile(profileBytes);
    const encoder = await FaceEncoder.load({ profile: profileBytes, modelsDir: path.resolve(models) });
    const encoded = await encoder.encodeChips(chips);
    const dim = profile.head.dim;
    const embeddings = new Float32Array(chips.length * dim);
    encoded.forEach((e, i) => embeddings.set(embedGrid(decodeGrid(e.payload, profile).grid, profile), i * dim));
    const result = calibrate(embeddings, ids, dim);
    report[name] = result;
    for (const [, key] of CALIBRATED_FARS) {
      const p = result.points[key];
      process.stderr.write(`${name} ${key}: threshold ${p.threshold.toFixed(4)}, measured FAR ${p.far.toExponential(2)} (95% ${p.farInterval95.map((x) => x.toExponential(2)).join('-')}), GAR ${(100 * p.gar).toFixed(2)}%\n`);
    }
    if (args.flags.has('write')) writeCalibration(models, name, result, caches);
  }
  if (args.flags.has('json')) process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  return 0;
}

/** Puts the thresholds and their provenance into build/P.json and rebuilds P.fvqp. */
function writeCalibration(models: string, name: string, result: Calibration, caches: string[]): void {
  const manifestPath = path.join(models, 'build', `${name}.json`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.thresholds = Object.fromEntries(CALIBRATED_FARS.map(([, key]) => [key, result.points[key].threshold]));
  manifest.thresholdsNote = `cosine thresholds (accept when score >= threshold) at FAR 1e-2/1e-3/1e-4 over all ${result.impostorPairs} impostor pairs `
    + `of ${result.faces} faces of ${result.identities} identities held out of training (${caches.map((c) => path.basename(c)).join(', ')}), `
    + 'through the shipped path (payload bytes, decodeGrid, head): facevq calibrate';
  manifest.calibration = result;
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  fs.writeFileSync(path.join(models, `${name}.fvqp`), buildProfileFromExport(manifestPath));
}
