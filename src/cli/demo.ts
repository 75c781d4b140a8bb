/**
 * `facevq demo [IMAGE]`: the whole product in one run on a real group photo (face-api's
 * `demo/sample1.jpg`, which every install of face-api has): detect the faces, encode each into
 * a payload with the shipped profile, show one payload's bytes, then decode every payload to its
 * embedding and check that each face finds itself among the faces of the mirrored photo. Each
 * slow step says what it is doing on stderr.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { cosineSimilarity, decodeGrid, embedGrid, inspectPayload } from '../codec/index.js';
import { SHIPPED_PROFILES, type ShippedProfile } from '../sdk/models.js';
import { FaceApi } from '../sdk/node/faceapi.js';
import { NodeFaceEncoder } from '../sdk/node/face-encoder.js';
import { decodeImage, mirrorImage, type RgbImage } from '../sdk/node/image.js';
import { option, parseCommandArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';
import { checkImageFile } from './inputs.js';

export const help: CommandHelp = {
  usage: ['demo [IMAGE] [--profile NAME]'],
  description: `
The whole path on a real group photo: detect the faces, encode each into a payload, show one
payload's bytes, decode every payload to its embedding and check that each face of the mirrored
photo finds its original. Needs the optional packages @vladmandic/face-api, @tensorflow/tfjs,
@tensorflow/tfjs-backend-wasm and sharp; takes about 20 s, mostly loading the detector.`,
  options: [{ name: 'profile', value: 'NAME', description: `a shipped profile (${SHIPPED_PROFILES.join(', ')})`, default: SHIPPED_PROFILES[0] }],
  examples: ['demo', 'demo team.jpg --profile s'],
};

/** face-api's own group photo, the default image (a missing face-api fails here, before any model loads). */
function sampleImage(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  if (args.positionals.length > 1) throw new UsageError(`one IMAGE at most (got ${args.positionals.length})`);
  const profileName = option(args, 'profile', SHIPPED_PROFILES[0])!;
  if (!(SHIPPED_PROFILES as readonly string[]).includes(profileName)) throw new UsageError(`--profile must be one of ${SHIPPED_PROFILES.join(', ')}`);
  const file = args.positionals[0] ?? sampleImage();
  checkImageFile(file);
  const step = (what: string) => process.stderr.write(`demo: ${what}\n`);
  step(`loading the encoder (profile ${profileName})`);
  const encoder = await NodeFaceEncoder.load({ profile: profileName as ShippedProfile });
  step('loading the face detector (face-api on TensorFlow.js wasm, about 10 s)');
  const faceapi = await FaceApi.load({ descriptor: false });
  const image = await decodeImage(file);
  const flipped = mirrorImage(image);
  step(`detecting faces in ${path.basename(file)} and in its mirror image`);
  const faces = await faceapi.detectAll(image);
  const mirroredFaces = await faceapi.detectAll(flipped);
  process.stdout.write(`${file}: ${image.width}x${image.height}, ${faces.length} faces (${mirroredFaces.length} in the mirror image)\n`);
  step(`encoding ${faces.length + mirroredFaces.length} faces`);
  if (faces.length === 0 || mirroredFaces.length === 0) return 1;

  const encode = async (source: RgbImage, landmarks5: number[]) =>
    (await encoder.encode({ pixels: source.data, width: source.width, height: source.height, channels: 3, landmarks5 })).payload;
  const payloads = await Promise.all(faces.map((f) => encode(image, f.landmarks5)));
  const probes = await Promise.all(mirroredFaces.map((f) => encode(flipped, f.landmarks5)));

  const first = inspectPayload(payloads[0]!, encoder.profile);
  const hex = Array.from(payloads[0]!, (b) => b.toString(16).padStart(2, '0')).join('');
  process.stdout.write(
    `profile ${encoder.profile.name}: face 1 is ${payloads[0]!.length} bytes (${first.codedBitsTotal.toFixed(0)} coded bits, ` +
      `${first.idealBitsTotal.toFixed(0)} ideal, mode ${first.mode}): ${hex}\n`,
  );
  const sizes = payloads.map((p) => p.length);
  process.stdout.write(`payload bytes: mean ${(sizes.reduce((a, b) => a + b, 0) / sizes.length).toFixed(1)}, max ${Math.max(...sizes)} (bound ${encoder.profile.maxBytes})\n`);

  // Every payload decodes to an embedding; a face in the mirror photo should match its original,
  // found by position: the mirror of the original box's centre.
  const gallery = payloads.map((p) => embedGrid(decodeGrid(p, encoder.profile).grid, encoder.profile));
  let correct = 0;
  probes.forEach((p, i) => {
    const probe = embedGrid(decodeGrid(p, encoder.profile).grid, encoder.profile);
    const box = mirroredFaces[i]!.box;
    const cx = image.width - (box.x + box.width / 2), cy = box.y + box.height / 2;
    const distances = faces.map((f) => Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy));
    const truth = distances.indexOf(Math.min(...distances));
    const scores = gallery.map((g) => cosineSimilarity(g, probe));
    const top = scores.indexOf(Math.max(...scores));
    if (top === truth) correct++;
  });
  process.stdout.write(`identify: ${correct} of ${probes.length} mirrored faces matched their original (top-1)\n`);
  return 0;
}
