/**
 * `facevq demo [IMAGE]`: the whole product in one run on a real group photo (face-api's
 * `demo/sample1.jpg`, which every install has): detect the faces, encode each into a payload with
 * the shipped profile, show one payload's bytes, then decode every payload to its embedding and
 * check that each face finds itself among the faces of the mirrored photo.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { cosineSimilarity, decodeGrid, embedGrid, inspectPayload } from '../codec/index.js';
import { FaceApi } from '../sdk/node/faceapi.js';
import { NodeFaceEncoder } from '../sdk/node/face-encoder.js';
import { decodeImage, mirrorImage, type RgbImage } from '../sdk/node/image.js';
import { option, parseArgs } from './args.js';

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['profile'], []);
  const file = args.positionals[0] ?? path.join(path.dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
  const profileName = option(args, 'profile', 'm') as 'm' | 's';
  const encoder = await NodeFaceEncoder.load({ profile: profileName });
  const faceapi = await FaceApi.load({ descriptor: false });
  const image = await decodeImage(file);
  const flipped = mirrorImage(image);
  const faces = await faceapi.detectAll(image);
  const mirroredFaces = await faceapi.detectAll(flipped);
  process.stdout.write(`${file}: ${image.width}x${image.height}, ${faces.length} faces (${mirroredFaces.length} in the mirror image)\n`);
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
