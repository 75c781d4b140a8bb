/**
 * `facevq encode IMAGE... [--profile m|s|FILE] [--box x,y,w,h] [--mode auto|0|1|2|3]
 *   [--sign KEYID:KEY] [--out FILE|DIR] [--runtime auto|node|web|ts] [--json]`
 *
 * Encodes the face in each image into a payload file (`.fvq`, spec §12). The face is located by
 * `--box` (the same box for every image; landmarks from the SDK's mean shape) or detected with
 * face-api (the face nearest the centre). Output: next to each image by default; `--out FILE` for a
 * single image, `--out DIR` for many. `--json` prints one JSON object a line per image: the output
 * path, the payload as hex (signed with a device key under `--sign`, §13), its length and mode, the grid, the face and the timings. Images that
 * fail are reported on stderr and the exit status is 1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FILE_EXTENSION, readProfile, type SignOptions } from '../codec/index.js';
import { fromHex } from '../worker/auth/devices.js';
import type { FaceBox } from '../sdk/box-landmarks.js';
import type { EncodeFaceOptions } from '../sdk/face-encoder.js';
import type { RuntimeName } from '../sdk/frame-encoder.js';
import { NodeFaceEncoder, type EncodedImage } from '../sdk/node/face-encoder.js';
import { option, parseArgs, UsageError } from './args.js';
import { Progress } from './progress.js';

const USAGE = 'usage: facevq encode IMAGE... [--profile m|s|FILE] [--box x,y,w,h] [--mode auto|0|1|2|3] [--sign KEYID:KEY] [--out FILE|DIR] [--runtime auto|node|web|ts] [--json]';
const RUNTIMES: readonly RuntimeName[] = ['auto', 'node', 'web', 'ts'];

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
  if (profileArg === 'm' || profileArg === 's') return NodeFaceEncoder.load({ profile: profileArg, runtime });
  if (!fs.existsSync(profileArg)) throw new UsageError(`--profile ${profileArg}: not m, s or a profile file`);
  const bytes = new Uint8Array(fs.readFileSync(profileArg));
  const encoderFile = readProfile(bytes).encoder?.file ?? 'encoder.onnx';
  const beside = path.join(path.dirname(profileArg), encoderFile);
  const modelBytes = fs.existsSync(beside) ? new Uint8Array(fs.readFileSync(beside)) : undefined;
  return NodeFaceEncoder.load({ profile: bytes, runtime, ...(modelBytes && { modelBytes }) });
}

/** Where the payload of `image` goes. */
function outputPath(image: string, out: string | undefined, many: boolean): string {
  const name = path.basename(image, path.extname(image)) + FILE_EXTENSION;
  if (out === undefined) return path.join(path.dirname(image), name);
  const isDir = many || out.endsWith('/') || out.endsWith(path.sep) || (fs.existsSync(out) && fs.statSync(out).isDirectory());
  return isDir ? path.join(out, name) : out;
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['profile', 'box', 'mode', 'out', 'runtime', 'sign'], ['json', 'help']);
  const images = args.positionals;
  if (args.flags.has('help')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (images.length === 0) throw new UsageError(USAGE);
  const runtime = option(args, 'runtime', 'auto') as RuntimeName;
  if (!RUNTIMES.includes(runtime)) throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')}`);
  const boxArg = option(args, 'box');
  const box = boxArg === undefined ? undefined : parseBox(boxArg);
  const mode = parseMode(option(args, 'mode', 'auto')!);
  const out = option(args, 'out');
  const signArg = option(args, 'sign');
  const sign = signArg === undefined ? undefined : parseSign(signArg);
  const json = args.flags.has('json');
  const many = images.length > 1;
  if (many && out !== undefined && fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    throw new UsageError(`--out ${out} is a file; several images need a directory`);
  }
  if (out !== undefined && (many || out.endsWith('/'))) fs.mkdirSync(out, { recursive: true });

  const encoder = await loadEncoder(option(args, 'profile', 'm')!, runtime);
  const progress = many ? new Progress(images.length, 'encode') : undefined;
  let failed = 0;
  for (const image of images) {
    let result: EncodedImage;
    try {
      result = await encoder.encodeImage(image, { mode, withGrid: json, withTimings: json, ...(box && { box }), ...(sign && { sign }) });
    } catch (error) {
      failed++;
      process.stderr.write(`facevq encode: ${image}: ${error instanceof Error ? error.message : String(error)}\n`);
      progress?.tick();
      continue;
    }
    const target = outputPath(image, out, many);
    fs.writeFileSync(target, result.payload);
    if (json) {
      const { payload, grid, timings, face } = result;
      process.stdout.write(JSON.stringify({
        image, out: target, bytes: payload.length, hex: hex(payload), mode: (payload[0]! >> 2) & 3,
        profile: encoder.profile.name, runtime: encoder.runtime, grid: Array.from(grid!), face, timings,
      }) + '\n');
    }
    progress?.tick();
  }
  progress?.finish();
  await encoder.dispose();
  if (!json) process.stderr.write(`facevq encode: ${images.length - failed} of ${images.length} encoded (profile ${encoder.profile.name}, ${encoder.runtime})\n`);
  return failed > 0 ? 1 : 0;
}
