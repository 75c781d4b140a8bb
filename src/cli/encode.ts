/**
 * `facevq encode IMAGE...`: encodes the faces in images into payload files (`.fvq`, spec §12).
 * The face is located by `--box` (the same box for every image; landmarks from the SDK's mean
 * shape) or detected with face-api. Of several detected faces, the one nearest the centre is
 * encoded and the command says so; `--face N` picks another, `--all` encodes each. `--sign` signs
 * each payload with a device key (§13). Inputs are checked before the model loads. Images that
 * fail are reported on stderr and the exit status is 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FILE_EXTENSION, readProfile, type SignOptions } from '../codec/index.js';
import { fromHex } from '../worker/auth/devices.js';
import type { FaceBox } from '../sdk/box-landmarks.js';
import { FaceEncoderError } from '../sdk/errors.js';
import type { EncodeFaceOptions } from '../sdk/face-encoder.js';
import type { RuntimeName } from '../sdk/frame-encoder.js';
import { SHIPPED_PROFILES, type ShippedProfile } from '../sdk/models.js';
import type { EncodedImage, NodeFaceEncoder } from '../sdk/node/face-encoder.js';
import { integerOption, option, parseCommandArgs } from './args.js';
import { describeError, UsageError } from './errors.js';
import type { CommandHelp } from './help.js';
import { checkImageFile } from './inputs.js';
import { Progress } from './progress.js';

const RUNTIMES: readonly RuntimeName[] = ['auto', 'node', 'web', 'ts'];

export const help: CommandHelp = {
  usage: ['encode IMAGE... [--profile NAME|FILE] [--box x,y,w,h] [--face N | --all] [--mode auto|0|1|2|3] [--sign KEYID:KEY] [--out FILE|DIR] [--runtime auto|node|web|ts] [--json]'],
  description: `
Encodes the face in each image into a payload file (.fvq, at most 51 bytes with profile m). The
face is detected (face-api), or given with --box. When an image holds several faces, the one
nearest the centre is encoded and the command says how many it saw; --face N takes the N-th
nearest instead, --all encodes each into IMAGE.0.fvq, IMAGE.1.fvq, ... Each written path is
printed. Images: JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, PGM, PPM.`,
  options: [
    { name: 'profile', value: 'NAME|FILE', description: `a shipped profile (${SHIPPED_PROFILES.join(', ')}) or a .fvqp file`, default: SHIPPED_PROFILES[0] },
    { name: 'box', value: 'x,y,w,h', description: 'the face box in image pixels, instead of detection' },
    { name: 'face', value: 'N', description: 'encode the N-th face found, 0 being the nearest the centre', default: '0' },
    { name: 'all', description: 'encode every face found, into IMAGE.N.fvq' },
    { name: 'mode', value: 'auto|0|1|2|3', description: 'body coding mode (spec §2.3); auto takes the shortest', default: 'auto' },
    { name: 'sign', value: 'KEYID:KEY', description: 'sign each payload with a device key, in hex as facevq devices add prints it (spec §13; adds 20 bytes)' },
    { name: 'out', value: 'FILE|DIR', description: 'output file (one image, one face) or folder', default: 'the current folder' },
    { name: 'runtime', value: 'auto|node|web|ts', description: 'ONNX runtime: onnxruntime-node, onnxruntime-web, or plain TypeScript', default: 'auto' },
    { name: 'json', description: 'print one JSON object a payload: path, hex, grid, face index and location, timings' },
  ],
  examples: [
    'encode photo.jpg                         # -> ./photo.fvq',
    'encode team.jpg --all --out faces/       # -> faces/team.0.fvq, faces/team.1.fvq, ...',
    'encode a.jpg b.jpg --profile s --json    # 31-byte payloads, JSON lines',
    'encode chip.png --box 0,0,64,64          # a crop that is all face',
  ],
};

const hex = (b: Uint8Array) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');

function parseBox(raw: string): FaceBox {
  const parts = raw.split(',').map(Number);
  if (parts.length !== 4 || !parts.every(Number.isFinite) || parts[2]! <= 0 || parts[3]! <= 0) {
    throw new UsageError(`--box must be x,y,width,height with a positive size, got ${JSON.stringify(raw)}`);
  }
  const [x, y, width, height] = parts as [number, number, number, number];
  return { x, y, width, height };
}

function parseMode(raw: string): NonNullable<EncodeFaceOptions['mode']> {
  if (raw === 'auto') return 'auto';
  if (raw === '0' || raw === '1' || raw === '2' || raw === '3') return Number(raw) as 0 | 1 | 2 | 3;
  throw new UsageError(`--mode must be auto, 0, 1, 2 or 3, got ${JSON.stringify(raw)}`);
}

/** `--sign KEYID:KEY` (hex, as `facevq devices add` prints them): the device key to sign with (§13). */
function parseSign(raw: string): SignOptions {
  const m = /^((?:[0-9a-f]{2}){1,8}):((?:[0-9a-f]{2}){16,64})$/i.exec(raw);
  if (!m) throw new UsageError('--sign must be KEYID:KEY in hex, as `facevq devices add` prints them (e.g. 01:9f3c...)');
  return { keyId: fromHex(m[1]!), key: fromHex(m[2]!) };
}

/**
 * The encoder for `--profile`: a shipped name, or a profile file whose encoder (the file its
 * `encoder` entry names) is looked for next to it, then among the shipped models.
 */
async function loadEncoder(profileArg: string, runtime: RuntimeName): Promise<NodeFaceEncoder> {
  const { NodeFaceEncoder } = await import('../sdk/node/face-encoder.js');
  if ((SHIPPED_PROFILES as readonly string[]).includes(profileArg)) return NodeFaceEncoder.load({ profile: profileArg as ShippedProfile, runtime });
  const bytes = new Uint8Array(fs.readFileSync(profileArg));
  const encoderFile = readProfile(bytes).encoder?.file ?? 'encoder.onnx';
  const beside = path.join(path.dirname(profileArg), encoderFile);
  const modelBytes = fs.existsSync(beside) ? new Uint8Array(fs.readFileSync(beside)) : undefined;
  return NodeFaceEncoder.load({ profile: bytes, runtime, ...(modelBytes && { modelBytes }) });
}

/** Which faces of an image to encode. */
type FaceChoice = { kind: 'box'; box: FaceBox } | { kind: 'one'; index: number; chosen: boolean } | { kind: 'all' };

/** Where the payload of face `index` (undefined: the image's only output) of `image` goes. */
function outputPath(image: string, index: number | undefined, out: string | undefined, single: boolean): string {
  const name = path.basename(image, path.extname(image)) + (index === undefined ? '' : `.${index}`) + FILE_EXTENSION;
  if (out === undefined) return name;
  const isDir = !single || out.endsWith('/') || out.endsWith(path.sep) || (fs.existsSync(out) && fs.statSync(out).isDirectory());
  return isDir ? path.join(out, name) : out;
}

/** Encodes the faces `choice` selects in `image`; each result with its face index (undefined: the only one). */
async function encodeImage(encoder: NodeFaceEncoder, image: string, choice: FaceChoice, options: EncodeFaceOptions): Promise<{ index?: number; result: EncodedImage; found?: number }[]> {
  if (choice.kind === 'box') return [{ result: await encoder.encodeImage(image, { ...options, box: choice.box }) }];
  const all = await encoder.encodeAllFaces(image, options);
  if (choice.kind === 'all') return all.map((result, index) => ({ index, result }));
  const result = all[choice.index];
  if (!result) throw new FaceEncoderError('E_NO_FACE', `${image}: --face ${choice.index} asked, but ${all.length} face${all.length === 1 ? '' : 's'} found`);
  return [{ result, found: all.length }];
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  const images = args.positionals;
  if (images.length === 0) throw new UsageError('no IMAGE given');
  const runtime = option(args, 'runtime', 'auto') as RuntimeName;
  if (!RUNTIMES.includes(runtime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
  const profileArg = option(args, 'profile', SHIPPED_PROFILES[0])!;
  if (!(SHIPPED_PROFILES as readonly string[]).includes(profileArg) && !fs.statSync(profileArg, { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(`--profile ${profileArg}: not a shipped profile (${SHIPPED_PROFILES.join(', ')}) nor a profile file`);
  }
  const boxArg = option(args, 'box');
  const faceGiven = option(args, 'face') !== undefined;
  if ([boxArg !== undefined, faceGiven, args.flags.has('all')].filter(Boolean).length > 1) throw new UsageError('--box, --face and --all exclude each other');
  const choice: FaceChoice = boxArg !== undefined ? { kind: 'box', box: parseBox(boxArg) }
    : args.flags.has('all') ? { kind: 'all' }
    : { kind: 'one', index: integerOption(args, 'face', 0, 0, 1000), chosen: faceGiven };
  const mode = parseMode(option(args, 'mode', 'auto')!);
  const out = option(args, 'out');
  const signArg = option(args, 'sign');
  const sign = signArg === undefined ? undefined : parseSign(signArg);
  const json = args.flags.has('json');
  const single = images.length === 1 && choice.kind !== 'all';
  if (!single && out !== undefined && fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} is a file; several payloads need a folder`);
  }
  // Every input is checked before the model loads: a typo fails in milliseconds, and nothing is written.
  const bad = images.flatMap((image) => {
    try {
      checkImageFile(image);
      return [];
    } catch (error) {
      const { code, message } = describeError(error);
      return [`facevq encode: ${code}: ${message}\n`];
    }
  });
  if (bad.length > 0) {
    for (const line of bad) process.stderr.write(line);
    process.stderr.write('facevq encode: nothing encoded\n');
    return 1;
  }
  if (out !== undefined && (!single || out.endsWith('/'))) fs.mkdirSync(out, { recursive: true });

  const encoder = await loadEncoder(profileArg, runtime);
  const progress = images.length > 1 && !json ? new Progress(images.length, 'encode') : undefined;
  let failed = 0, written = 0;
  for (const image of images) {
    try {
      for (const { index, result, found } of await encodeImage(encoder, image, choice, { mode, withGrid: json, withTimings: json, ...(sign && { sign }) })) {
        const target = outputPath(image, index, out, single);
        fs.writeFileSync(target, result.payload);
        written++;
        const { payload, grid, timings, face } = result;
        if (json) {
          process.stdout.write(JSON.stringify({
            image, index: index ?? (choice.kind === 'one' ? choice.index : 0), out: target, bytes: payload.length, hex: hex(payload), mode: (payload[0]! >> 2) & 3,
            profile: encoder.profile.name, runtime: encoder.runtime, grid: Array.from(grid!), face, timings,
          }) + '\n');
        } else {
          process.stdout.write(`${target}  ${payload.length} bytes  (${image}${index === undefined ? '' : `, face ${index}`})\n`);
        }
        if (found !== undefined && found > 1 && choice.kind === 'one' && !choice.chosen) {
          process.stderr.write(`facevq encode: ${image}: ${found} faces found; encoded the one nearest the centre (face 0). --face N takes another, --all encodes each\n`);
        }
      }
    } catch (error) {
      failed++;
      const { code, message } = describeError(error);
      process.stderr.write(`facevq encode: ${code}: ${message.startsWith(image) ? message : `${image}: ${message}`}\n`);
    }
    progress?.tick();
  }
  progress?.finish();
  await encoder.dispose();
  if (!json) process.stderr.write(`facevq encode: ${written} payload${written === 1 ? '' : 's'} from ${images.length - failed} of ${images.length} images (profile ${encoder.profile.name}, ${encoder.runtime} runtime)\n`);
  return failed > 0 ? 1 : 0;
}
