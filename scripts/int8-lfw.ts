/**
 * Does the service's int8 matrix lose accuracy on real faces? LFW View 2 through profile `m`:
 * every image's aligned crop (cached by `facevq teacher`, the SDK's own `alignFace` output) is
 * encoded by the SDK, decoded by the codec and embedded by the TypeScript head; then
 * verification (6,000 pairs) and identification (LFW people with several images: the first
 * enrolled, the rest probed) are scored in float32 and in the service's int8 path.
 *
 *   npx tsx scripts/int8-lfw.ts [--pairs ../shared/data/lfw-protocol/pairs.txt] [--cache .cache/teacher/lfw]
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeGrid, embedGrid, readProfile } from '../src/codec/index.js';
import { parseLfwPairs } from '../src/eval/pairs.js';
import { FaceEncoder } from '../src/sdk/index.js';
import { compareInt8Identification, compareInt8Verification } from '../src/worker/match/int8-check.js';
import { option, parseArgs } from '../src/cli/args.js';

const args = parseArgs(process.argv.slice(2), ['pairs', 'cache', 'profile'], []);
const pairsFile = option(args, 'pairs', '../shared/data/lfw-protocol/pairs.txt')!;
const cache = option(args, 'cache', '.cache/teacher/lfw')!;
const profile = readProfile(fs.readFileSync(option(args, 'profile', 'models/m.fvqp')!));
const encoder = await FaceEncoder.load({ profile, runtime: 'node', modelBytes: fs.readFileSync('models/encoder.onnx') });

const rows = fs.readFileSync(path.join(cache, 'index.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path: string });
const crops = fs.readFileSync(path.join(cache, 'crops.u8'));
const size = profile.crop.size, chipBytes = size * size * 3;
const onTemplate = profile.crop.template.map((v) => v * size); // the crop is the chip: identity alignment
const embeddings = new Map<string, Float32Array>();
for (const [i, row] of rows.entries()) {
  const chip = new Uint8Array(crops.buffer, crops.byteOffset + i * chipBytes, chipBytes);
  const { payload } = await encoder.encode({ pixels: chip, width: size, height: size, channels: 3, landmarks5: onTemplate });
  embeddings.set(row.path, embedGrid(decodeGrid(payload, profile).grid, profile));
}

const pairs = parseLfwPairs(fs.readFileSync(pairsFile, 'utf8'));
const verification = compareInt8Verification(
  pairs.map((p) => ({ a: embeddings.get(p.a)!, b: embeddings.get(p.b)!, same: p.same })),
  profile.thresholds.far1e3,
);
const byPerson = new Map<string, string[]>();
for (const image of [...embeddings.keys()].sort()) {
  const person = image.split('/')[0]!;
  byPerson.set(person, [...(byPerson.get(person) ?? []), image]);
}
const gallery = [], probes = [];
for (const [person, images] of byPerson) {
  if (images.length < 2) continue;
  gallery.push({ id: person, vector: embeddings.get(images[0]!)! });
  for (const image of images.slice(1)) probes.push({ id: person, vector: embeddings.get(image)! });
}
// Distractors: people with one image are enrolled too, so the gallery is not only the answers.
for (const [person, images] of byPerson) if (images.length === 1) gallery.push({ id: person, vector: embeddings.get(images[0]!)! });
const identification = compareInt8Identification(gallery, probes);
console.log(JSON.stringify({ profile: profile.name, images: embeddings.size, verification, identification }, null, 1));
