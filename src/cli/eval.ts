/**
 * `facevq eval`: measures our profiles against the teacher and the baselines, side by side on the
 * same faces, through the real path (image, the SDK's crop and encoder, wire bytes, the codec's
 * decode, the TypeScript head). See `src/eval/` for the protocol and the methods.
 *
 *   facevq eval lfw      --data DIR --pairs pairs.txt   LFW's 10-fold protocol (View 2; View 1 files too)
 *   facevq eval pairs    --data DIR --pairs FILE.csv    the same for a CSV of a,b,same (10 folds by row order)
 *   facevq eval identify --data DIR [--enroll 5]        closed-set identification, one folder per identity
 */
import fs from 'node:fs';
import path from 'node:path';
import { FaceApi } from '../sdk/node/faceapi.js';
import { CALIBRATION_FACES, cacheDirFor, embedAll, type MethodEmbeddings } from '../eval/embed.js';
import { FaceSource } from '../eval/faces.js';
import { openTeacher, type Teacher } from '../eval/teacher.js';
import { DEFAULT_ENROLL, identify, imagesOfSplit, splitIdentities } from '../eval/identify.js';
import {
  createMethods,
  defaultMethodNames,
  loadProfile,
  resolveProfileFile,
  shippedProfiles,
  sourcesNeeded,
  type Method,
  type MethodOptions,
} from '../eval/methods/index.js';
import { DEFAULT_FOLDS, imagesOf, lfwView, limitPairs, parseLfwPairs, parsePairsCsv, parseSelectionPairs, type Pair } from '../eval/pairs.js';
import { identificationJson, identificationText, verificationJson, verificationText, type RunInfo } from '../eval/report.js';
import { rocSvg } from '../eval/roc-svg.js';
import { HEADLINE_FAR, verify } from '../eval/verify.js';
import { numberOption, option, parseCommandArgs, type ParsedArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';

export const help: CommandHelp = {
  usage: [
    'eval lfw      --data DIR --pairs FILE [options]    LFW pairs file (View 2: 10 folds)',
    'eval pairs    --data DIR --pairs FILE.csv [options]',
    'eval identify --data DIR [--enroll K] [options]',
  ],
  description: `
Measures the profiles against the teacher and the baselines on the same faces, through the real
path (image, crop, encoder, wire bytes, decode, head): verification accuracy over 10 folds (lfw,
pairs) or closed-set identification with one folder per identity (identify).`,
  options: [
    { name: 'data', value: 'DIR', description: 'the dataset folder (required)' },
    { name: 'pairs', value: 'FILE', description: 'lfw: an LFW pairs file; pairs: a CSV of a,b,same (required for both)' },
    { name: 'profile', value: 'P', description: 'a .fvqp file or a name in --models (repeatable)', default: 'every models/*.fvqp' },
    { name: 'methods', value: 'a,b', description: 'facevq:P, teacher, teacher-int8, teacher-1bit, jpeg, webp, jpeg:N, webp:N (N bytes), paper:reconstruct-P, paper:vqvae-teacher, paper:vqvae-recognizer (models/paper/)', default: 'all' },
    { name: 'limit', value: 'N', description: 'at most N pairs, spread over every fold (lfw, pairs), or N identities (identify)' },
    {
      name: 'calibration',
      value: 'F',
      description: `pairs whose first ${CALIBRATION_FACES} images (sorted, not evaluated where enough are left) set the image codecs and our mean bytes; lfw: never View 2; pairs: a CSV`,
      default: 'lfw: pairsDevTrain.txt beside --pairs; pairs: --pairs',
    },
    { name: 'json', description: 'print one JSON object instead of the table' },
    { name: 'out', value: 'DIR', description: 'where the report and plot go', default: '.cache/eval/report' },
    { name: 'svg', value: 'FILE', description: 'the ROC plot', default: '<out>/roc-<dataset>.svg' },
    { name: 'models', value: 'DIR', description: 'profiles and ONNX models', default: 'models' },
    { name: 'teacher-pca', value: 'F', description: "the teacher's PCA to 128-D (F and the .bin beside it); without it only ours runs", default: '<models>/build/teacher-pca.json' },
    { name: 'cache', value: 'DIR', description: 'caches: DIR/teacher (facevq teacher), DIR/eval (ours)', default: '.cache' },
    { name: 'enroll', value: 'K', description: 'identify: images enrolled per identity', default: String(DEFAULT_ENROLL) },
  ],
  examples: [
    'eval lfw --data ../shared/data/lfw --pairs ../shared/data/lfw/pairs.txt',
    'eval identify --data ../shared/data/att --enroll 5 --json',
  ],
};

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  const [command, ...extra] = args.positionals;
  if (!command) throw new UsageError('which evaluation: lfw, pairs or identify?');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  if (command !== 'lfw' && command !== 'pairs' && command !== 'identify') throw new UsageError(`unknown eval command ${JSON.stringify(command)}: lfw, pairs or identify`);
  const data = option(args, 'data');
  if (!data) throw new UsageError('--data is required');
  if (!fs.existsSync(data)) throw new UsageError(`--data ${data}: no such folder`);
  return command === 'identify' ? runIdentify(args, data) : runVerification(args, command, data);
}

/** Everything both kinds of run share: methods, faces, caches. */
interface Setup {
  methods: Method[];
  methodOptions: MethodOptions;
  source: FaceSource;
  cacheDir: string;
  out: string;
  notes: string[];
}

function setup(args: ParsedArgs, data: string): Setup {
  const modelsDir = option(args, 'models', 'models')!;
  const cacheRoot = option(args, 'cache', '.cache')!;
  const notes: string[] = [];
  const profileFiles = args.options.get('profile')?.map((p) => {
    try {
      return resolveProfileFile(p, modelsDir);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }) ?? shippedProfiles(modelsDir);
  if (profileFiles.length === 0) notes.push(`no profile (.fvqp) in ${modelsDir} and none given: ours is not measured`);
  const profiles = profileFiles.map(loadProfile);
  let faceApiPromise: Promise<FaceApi> | undefined;
  const faceApi = () => (faceApiPromise ??= FaceApi.load({ descriptor: false }));
  const explicitPca = option(args, 'teacher-pca');
  const pcaFile = explicitPca ?? path.join(modelsDir, 'build', 'teacher-pca.json');
  let teacher: Teacher | undefined;
  // A file given must be good (opening it says why not); the default one is missing until training ran.
  const hasTeacher = explicitPca !== undefined || fs.existsSync(pcaFile);
  if (!hasTeacher && !args.options.has('methods')) notes.push(`no teacher PCA (${pcaFile}; training writes it, or pass --teacher-pca): the teacher and the baselines, which all run on it, are not measured`);
  const methodOptions: MethodOptions = { modelsDir, profiles, ...(hasTeacher ? { teacher: () => (teacher ??= openTeacher(pcaFile, faceApi)) } : {}) };
  const names = option(args, 'methods')?.split(',').map((s) => s.trim()).filter(Boolean) ?? defaultMethodNames(methodOptions);
  let methods: Method[];
  try {
    methods = createMethods(names, methodOptions);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const source = new FaceSource(data, { teacherCacheRoot: path.join(cacheRoot, 'teacher'), detectCacheDir: path.join(cacheRoot, 'eval', 'detect'), faceApi });
  if (source.staleTeacherCaches.length > 0) notes.push(`not read, made by other detection code (src/eval/code-versions.ts): ${source.staleTeacherCaches.join(', ')}`);
  return { methods, methodOptions, source, cacheDir: cacheDirFor(path.join(cacheRoot, 'eval'), data), out: option(args, 'out', path.join(cacheRoot, 'eval', 'report'))!, notes };
}

async function embed(s: Setup, images: readonly string[], calibrationImages: readonly string[], label: string): Promise<Map<string, MethodEmbeddings>> {
  const sources = sourcesNeeded(s.methods, s.methodOptions);
  const { methods: embeddings, faceTime } = await embedAll({ images, source: s.source, methods: s.methods, sources, cacheDir: s.cacheDir, calibrationImages, label });
  if (faceTime.faces > 0) s.notes.push(`faces: ${faceTime.faces} detected or read from cache and decoded in ${faceTime.seconds.toFixed(0)} s (${((1000 * faceTime.seconds) / faceTime.faces).toFixed(0)} ms/face)`);
  for (const [name, e] of embeddings) {
    if (e.compute.faces > 0) s.notes.push(`${name}: computed ${e.compute.faces} faces in ${e.compute.seconds.toFixed(0)} s (${((1000 * e.compute.seconds) / e.compute.faces).toFixed(0)} ms/face)`);
    if (e.failures.count > 0) s.notes.push(`${name}: failed on ${e.failures.count} images (scored 0); first: ${e.failures.first}`);
  }
  return embeddings;
}

function describe(methods: readonly Method[]): Record<string, string> {
  return Object.fromEntries(methods.map((m) => [m.name, m.describe()]));
}

function write(out: string, file: string, text: string): string {
  fs.mkdirSync(out, { recursive: true });
  const full = path.join(out, file);
  fs.writeFileSync(full, text);
  return full;
}

async function runVerification(args: ParsedArgs, command: 'lfw' | 'pairs', data: string): Promise<number> {
  const pairsFile = option(args, 'pairs');
  if (!pairsFile) throw new UsageError('--pairs is required');
  const start = performance.now();
  let all: Pair[], pairsText: string;
  try {
    pairsText = fs.readFileSync(pairsFile, 'utf8');
    all = command === 'lfw' ? parseLfwPairs(pairsText) : parsePairsCsv(pairsText, DEFAULT_FOLDS);
  } catch (error) {
    throw new UsageError(`--pairs ${pairsFile}: ${(error as Error).message}`);
  }
  const limit = numberOption(args, 'limit', Infinity);
  const pairs = limitPairs(all, limit);
  const s = setup(args, data);
  const images = imagesOf(pairs);
  const calibration = calibrationImages(args, command, pairsFile, images);
  s.notes.push(calibration.note);
  const embeddings = await embed(s, images, calibration.images, `eval ${command}`);

  const results = s.methods.map((m) => verify(m.name, embeddings.get(m.name)!, pairs));
  const folds = new Set(pairs.map((p) => p.fold)).size;
  const impostors = pairs.filter((p) => !p.same).length;
  const view1 = command === 'lfw' && lfwView(pairsText) === 1;
  const notes = [
    ...s.notes,
    'scores: cosine similarity for every method',
    `TAR@FAR=1e-3 over all ${pairs.length} pairs: at most floor(1e-3 x ${impostors} impostors) = ${Math.floor(HEADLINE_FAR * impostors + 1e-9)} impostors accepted${impostors < 1 / HEADLINE_FAR ? ' (fewer than 1,000 impostors: this is TAR at FAR 0)' : ''}`,
  ];
  if (pairs.length < all.length) notes.push(`--limit ${limit}: ${pairs.length} of ${all.length} pairs (the first of each kind in each fold), not the full protocol`);
  if (view1) notes.push('View 1 pairs file: it has no folds, so each kind was cut into 10 contiguous blocks for the threshold; report View-1 numbers as such');
  const protocol = command === 'lfw'
    ? `LFW ${view1 ? 'View 1' : 'View 2'} (${path.basename(pairsFile)}): ${pairs.length} pairs, ${folds}-fold: threshold chosen on ${folds - 1} folds, applied to the held-out one; std over folds (n-1)`
    : `pairs ${path.basename(pairsFile)}: ${pairs.length} pairs, ${folds} folds by row order, threshold chosen on the other folds`;
  const info: RunInfo = { command, data, protocol, images: images.length, faces: s.source.statsFor(images), descriptions: describe(s.methods), seconds: (performance.now() - start) / 1000, notes };

  const dataset = command === 'lfw' ? 'lfw' : path.basename(pairsFile).replace(/\.[^.]*$/, '');
  const svg = rocSvg(results.map((r) => ({ name: r.name, curve: r.roc, note: `${r.bytesMean.toFixed(0)} B` })), {
    title: `${protocol.split(':')[0]}: ROC, ${pairs.length} pairs`,
    minFar: impostors >= 10_000 ? 1e-4 : impostors >= 1000 ? 1e-3 : 1e-2,
  });
  const svgFile = option(args, 'svg') ?? path.join(s.out, `roc-${dataset}.svg`);
  fs.mkdirSync(path.dirname(svgFile), { recursive: true });
  fs.writeFileSync(svgFile, svg);
  const text = verificationText(results, info);
  const json = JSON.stringify(verificationJson(results, info));
  const reportFile = write(s.out, `report-${dataset}.txt`, text);
  write(s.out, `report-${dataset}.json`, json + '\n');
  process.stdout.write(args.flags.has('json') ? json + '\n' : `${text}report: ${reportFile}\nROC plot: ${svgFile}\n`);
  return 0;
}

/**
 * The faces that calibrate the image codecs and measure our mean bytes (a label-free choice, but a
 * choice): the first {@link CALIBRATION_FACES} sorted images of `--calibration`, leaving out
 * evaluated images when enough others remain. For LFW that file is never View 2 (pairs.txt): by
 * default it is View 1's pairsDevTrain.txt beside `--pairs`.
 */
function calibrationImages(args: ParsedArgs, command: 'lfw' | 'pairs', pairsFile: string, evaluated: readonly string[]): { images: string[]; note: string } {
  const file = option(args, 'calibration') ?? (command === 'lfw' ? path.join(path.dirname(pairsFile), 'pairsDevTrain.txt') : pairsFile);
  if (!fs.existsSync(file)) throw new UsageError(`--calibration ${file}: no such file (LFW View 1's pairsDevTrain.txt, or another pairs file that is not View 2)`);
  let all: string[];
  try {
    const text = fs.readFileSync(file, 'utf8');
    all = imagesOf(command === 'lfw' ? parseSelectionPairs(text, file, 'calibration faces') : parsePairsCsv(text, DEFAULT_FOLDS)).sort();
  } catch (error) {
    throw new UsageError(`--calibration: ${(error as Error).message}`);
  }
  const seen = new Set(evaluated);
  const unseen = all.filter((f) => !seen.has(f));
  const images = (unseen.length >= CALIBRATION_FACES ? unseen : all).slice(0, CALIBRATION_FACES);
  const overlap = images.filter((f) => seen.has(f)).length;
  return { images, note: `calibration faces (image codec settings, our mean bytes): the first ${images.length} sorted images of ${path.basename(file)}, ${overlap} of them evaluated` };
}

async function runIdentify(args: ParsedArgs, data: string): Promise<number> {
  const start = performance.now();
  const enrollK = numberOption(args, 'enroll', DEFAULT_ENROLL);
  let split;
  try {
    split = splitIdentities(data, enrollK);
  } catch (error) {
    throw new UsageError(`--enroll: ${(error as Error).message}`);
  }
  const limit = numberOption(args, 'limit', Infinity);
  if (limit < split.identities.length) {
    const keep = new Set(split.identities.slice(0, limit));
    split = { identities: split.identities.filter((i) => keep.has(i)), enroll: new Map([...split.enroll].filter(([i]) => keep.has(i))), probes: split.probes.filter((p) => keep.has(p.identity)) };
  }
  if (split.probes.length === 0) throw new UsageError(`no probes: every identity in ${data} has ${enrollK} images or fewer`);
  const s = setup(args, data);
  const images = imagesOfSplit(split);
  const embeddings = await embed(s, images, [...images].sort().slice(0, 16), 'eval identify');
  const thresholdsOf = (name: string) => s.methodOptions.profiles.find((p) => `facevq:${p.profile.name}` === name)?.profile.thresholds;
  const results = s.methods.map((m) => identify(m.name, embeddings.get(m.name)!, split, thresholdsOf(m.name)));
  const notes = [...s.notes, 'scores: cosine similarity to each identity\'s template (normalised mean of its normalised enrolled embeddings); ties count against the probe'];
  if (limit < Infinity) notes.push(`--limit ${limit}: the first ${split.identities.length} identities only`);
  const info: RunInfo = {
    command: 'identify',
    data,
    protocol: `closed-set identification: ${split.identities.length} identities, first ${enrollK} images of each enrolled (natural name order), ${split.probes.length} probes`,
    images: images.length,
    faces: s.source.statsFor(images),
    descriptions: describe(s.methods),
    seconds: (performance.now() - start) / 1000,
    notes,
  };
  const dataset = path.basename(path.resolve(data));
  const text = identificationText(results, info);
  const json = JSON.stringify(identificationJson(results, info));
  const reportFile = write(s.out, `report-identify-${dataset}.txt`, text);
  write(s.out, `report-identify-${dataset}.json`, json + '\n');
  process.stdout.write(args.flags.has('json') ? json + '\n' : `${text}report: ${reportFile}\n`);
  return 0;
}
