/**
 * `facevq profile build`: assembles a profile file (spec §10) from a training export
 * (`models/build/<name>.json` + `.bin`, written by `training/export.py`): codebooks and head weights
 * as trained, entropy-coding tables fitted on the training set's index histograms, calibrated
 * thresholds, the crop definition and the hash of the device encoder.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fitFrequencies, readProfile, writeProfile, type HeadLayer } from '../codec/index.js';
import { FACE_TEMPLATE } from '../sdk/align.js';
import { numberOption, option, parseCommandArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';

/** A float32 range of the export's `.bin`, in elements. */
interface Span {
  offset: number;
  length: number;
}

/** The manifest written by training/export.py. */
interface TrainingExport {
  name: string;
  grid: { h: number; w: number; k: number[]; dim: number[] };
  codebooks: Span[];
  head: { dim: number; layers: ({ op: 'dense'; in: number; out: number; weight: Span; bias: Span } | { op: 'prelu'; alpha: Span } | { op: 'relu' } | { op: 'l2norm' })[] };
  counts: { plane: number[][]; position: number[][] };
  thresholds: { far1e2: number; far1e3: number; far1e4: number };
  encoder: { file: string; mean: number; std: number };
  crop?: { size: number };
  metrics?: Record<string, unknown>;
  meta?: Record<string, unknown>;
}

/** The payload size bound and wire id of each shipped rate point (spec §7, §2.2). */
const RATE_POINTS: Record<string, { id: number; maxBytes: number }> = {
  m: { id: 1, maxBytes: 51 }, // one LoRaWAN frame at its slowest data rate
  s: { id: 2, maxBytes: 31 }, // one BLE legacy advertisement
  xs: { id: 3, maxBytes: 19 },
};

/** Builds the profile file bytes from an export manifest path. */
export function buildProfileFromExport(manifestPath: string, overrides: { id?: number; maxBytes?: number } = {}): Uint8Array {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as TrainingExport;
  const blob = fs.readFileSync(manifestPath.replace(/\.json$/, '.bin'));
  const floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
  const take = (s: Span) => {
    if (s.offset + s.length > floats.length) throw new Error(`${manifestPath}: span ${s.offset}+${s.length} past the end of the .bin`);
    return floats.slice(s.offset, s.offset + s.length);
  };
  const rate = RATE_POINTS[manifest.name] ?? { id: 15, maxBytes: 1024 };
  const { h, w, k, dim } = manifest.grid;
  const planes = k.length;
  const layers: HeadLayer[] = manifest.head.layers.map((l) => {
    if (l.op === 'dense') return { op: 'dense', in: l.in, out: l.out, weight: take(l.weight), bias: take(l.bias) };
    if (l.op === 'prelu') return { op: 'prelu', alpha: take(l.alpha) };
    return { op: l.op };
  });
  // §6.6: one context table per grid index (position and plane), fitted on that index's histogram.
  const contextTables = manifest.counts.position.map((counts) => fitFrequencies(counts));
  const encoderFile = path.join(path.dirname(manifestPath), '..', manifest.encoder.file);
  const bytes = writeProfile({
    id: overrides.id ?? rate.id,
    name: manifest.name,
    h, w, k, dim,
    maxBytes: overrides.maxBytes ?? rate.maxBytes,
    codebooks: manifest.codebooks.map(take),
    prior: manifest.counts.plane.map((counts) => fitFrequencies(counts)),
    context: { tables: contextTables, plane: contextTables.map((_, n) => n % planes), map: contextTables.map((_, n) => n) },
    head: { dim: manifest.head.dim, layers },
    thresholds: manifest.thresholds,
    crop: { size: manifest.crop?.size ?? 64, channels: 3, template: FACE_TEMPLATE },
    encoder: {
      file: manifest.encoder.file,
      sha256: new Uint8Array(createHash('sha256').update(fs.readFileSync(encoderFile)).digest()),
      mean: manifest.encoder.mean,
      std: manifest.encoder.std,
    },
    meta: flattenMeta({ ...manifest.meta, ...manifest.metrics }),
  });
  readProfile(bytes); // validate what we wrote
  return bytes;
}

function flattenMeta(meta: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (value !== null && value !== undefined) out[key] = JSON.stringify(value);
  }
  return out;
}

export const help: CommandHelp = {
  usage: ['profile build models/build/NAME.json [--out models/NAME.fvqp] [--id N] [--max-bytes N]'],
  description: `
Assembles a profile file (spec §10) from a training export (NAME.json and NAME.bin, written by
training/export.py): codebooks and head weights, entropy-coding tables fitted on the training
histograms, calibrated thresholds, the crop and the device encoder's hash.`,
  options: [
    { name: 'out', value: 'FILE', description: 'the profile file', default: 'models/NAME.fvqp' },
    { name: 'id', value: 'N', description: 'the wire profile id (§2.2)', default: "the rate point's (m 1, s 2, xs 3)" },
    { name: 'max-bytes', value: 'N', description: 'the payload size bound', default: "the rate point's (m 51, s 31, xs 19)" },
  ],
  examples: ['profile build models/build/m.json'],
};

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  const [verb, manifest] = args.positionals;
  if (verb !== 'build') throw new UsageError(`unknown profile command ${JSON.stringify(verb ?? '')}: build`);
  if (!manifest) throw new UsageError('profile build needs the export manifest, models/build/NAME.json');
  const bytes = buildProfileFromExport(manifest, {
    id: args.options.has('id') ? numberOption(args, 'id', 0) : undefined,
    maxBytes: args.options.has('max-bytes') ? numberOption(args, 'max-bytes', 0) : undefined,
  });
  const out = option(args, 'out', path.join(path.dirname(manifest), '..', `${path.basename(manifest, '.json')}.fvqp`))!;
  fs.writeFileSync(out, bytes);
  const profile = readProfile(bytes);
  const hex = Array.from(profile.sha256.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
  process.stdout.write(`${out}: profile ${profile.name} id ${profile.id}, ${profile.h}x${profile.w}x${profile.planes.length}, ${bytes.length} bytes, sha256 ${hex}...\n`);
  return 0;
}
