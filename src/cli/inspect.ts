/**
 * `facevq inspect FILE|HEX [--profile FILE.fvqp]... [--json]`: decodes one payload and prints its
 * header fields (§2), check byte (§3), extensions (§4), the grid, the bits each index cost in this
 * payload and the ideal bits under the profile's prior (`-log2 p`). Profiles: the `--profile` files,
 * then the shipped `models/*.fvqp` for ids not taken.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inspectPayload, isFacevqError, readProfile, ProfileSet, type PayloadInspection, type Profile } from '../codec/index.js';
import { extensionsToJson, fromHex, toHex } from '../conformance/protocol.js';
import { parseCommandArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';
import { packageDir } from './package-dir.js';

export const help: CommandHelp = {
  usage: ['inspect FILE|HEX [--profile FILE.fvqp]... [--json]'],
  description: `
Decodes one payload (a .fvq file, or its bytes as hex) and prints its header fields (spec §2), the
check byte (§3), extensions (§4), the grid, the bits each index cost and the ideal bits under the
profile's prior. The shipped profiles are known; --profile adds others (or replaces a shipped one
with the same id). A payload that does not decode prints its error code and exits 1.`,
  options: [
    { name: 'profile', value: 'FILE.fvqp', description: 'a profile file to decode with (repeatable)', default: "the package's models/*.fvqp" },
    { name: 'json', description: 'print one JSON object ({ ok: false, error } for a bad payload)' },
  ],
  examples: ['inspect photo.fvq', 'inspect 0441c3...  # hex', 'inspect photo.fvq --json'],
};
const MODE_NAMES = ['fixed width (§5)', 'range coded, static prior (§6)', 'range coded, context prior (§6.6)', 'table ANS, static prior (§6.7)'];
/** What the coded bits of each mode are, and what the body bits left over are. */
const CODED_BITS = ['fixed width', 'log2(range / (r * f)) in this payload', 'log2(range / (r * f)) in this payload', 'nbBits read after the index; the last index costs 0'];
const OVERHEAD = ['padding', 'termination', 'termination', 'initial state and padding'];

/** The payload bytes: a file's contents, or the argument read as hex. */
function readPayload(arg: string): Uint8Array {
  if (fs.existsSync(arg) && fs.statSync(arg).isFile()) return new Uint8Array(fs.readFileSync(arg));
  const hex = arg.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError(`${arg}: not a file and not hex`);
  return fromHex(hex);
}

/** The shipped profiles: models/*.fvqp in the package. */
function shippedProfiles(): string[] {
  const root = packageDir();
  const dir = root === undefined ? undefined : path.join(root, 'models');
  if (dir === undefined || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.fvqp')).sort().map((f) => path.join(dir, f));
}

function loadProfiles(explicit: string[]): ProfileSet {
  const set = new ProfileSet();
  const add = (file: string, required: boolean) => {
    let p: Profile;
    try {
      p = readProfile(new Uint8Array(fs.readFileSync(file)));
    } catch (e) {
      if (required) throw new UsageError(`--profile ${file}: ${(e as Error).message}`);
      return;
    }
    if (set.has(p.id)) {
      if (required) throw new UsageError(`--profile ${file}: id ${p.id} is given twice`);
      return; // a --profile file takes the id from a shipped one
    }
    set.add(p);
  };
  for (const f of explicit) add(f, true);
  for (const f of shippedProfiles()) add(f, false);
  return set;
}

/** A table of the grid's H rows and W columns; a cell shows its G values joined by `/`. */
function gridTable(ins: PayloadInspection, cell: (n: number) => string): string {
  const { h, w } = ins.profile;
  const G = ins.profile.planes.length;
  const cells: string[][] = [];
  for (let y = 0; y < h; y++) {
    const row: string[] = [];
    for (let x = 0; x < w; x++) {
      const parts: string[] = [];
      for (let g = 0; g < G; g++) parts.push(cell((y * w + x) * G + g));
      row.push(parts.join('/'));
    }
    cells.push(row);
  }
  const width = Math.max(...cells.flat().map((c) => c.length), String(w - 1).length);
  const label = String(h - 1).length;
  const head = `${' '.repeat(label)}   ${Array.from({ length: w }, (_, x) => String(x).padStart(width)).join(' ')}`;
  return [head, ...cells.map((row, y) => `${String(y).padStart(label)} | ${row.map((c) => c.padStart(width)).join(' ')}`)].join('\n');
}

function describeExtensions(ins: PayloadInspection): string[] {
  const e = ins.extensions;
  const lines: string[] = [];
  if (e.captureTime !== undefined) lines.push(`capture time  ${e.captureTime} (${new Date(e.captureTime * 1000).toISOString()})`);
  if (e.nonce) lines.push(`nonce         ${toHex(e.nonce)}`);
  if (e.keyId) lines.push(`key id        ${toHex(e.keyId)}`);
  if (e.authTag) lines.push(`auth tag      ${toHex(e.authTag)} (not verified: needs the key, §13)`);
  for (const u of e.unknown ?? []) lines.push(`type 0x${u.type.toString(16).padStart(2, '0')}     ${toHex(u.value)} (unknown, skipped)`);
  return lines;
}

function text(ins: PayloadInspection): string {
  const p = ins.profile;
  const G = p.planes.length;
  const ext = describeExtensions(ins);
  const out = [
    `payload      ${ins.totalBytes} bytes: header and extensions ${ins.headerBytes}, body ${ins.bodyBytes}`,
    `version      ${ins.version}`,
    `mode         ${ins.mode}, ${MODE_NAMES[ins.mode]}`,
    `profile      id ${ins.profileId}, tag 0x${ins.profileTag.toString(16)}: "${p.name}" (sha256 ${toHex(p.sha256).slice(0, 16)}...)`,
    `check byte   0x${ins.check.toString(16).padStart(2, '0')} (CRC-8/AUTOSAR, valid)`,
    `extensions   ${ext.length === 0 ? 'none' : ''}`,
    ...ext.map((l) => `  ${l}`),
    '',
    `grid (${p.h} x ${p.w}${G > 1 ? `, ${G} planes per cell: ${p.planes.map((pl) => `K=${pl.k}`).join('/')}` : `, K=${p.planes[0]!.k}`})`,
    gridTable(ins, (n) => String(ins.grid[n])),
    '',
    `coded bits per index (${CODED_BITS[ins.mode]})`,
    gridTable(ins, (n) => ins.codedBits[n]!.toFixed(1)),
    '',
    'ideal bits per index (-log2 p under the profile prior)',
    gridTable(ins, (n) => ins.idealBits[n]!.toFixed(1)),
    '',
    `total        coded ${ins.codedBitsTotal.toFixed(1)} bits, ideal ${ins.idealBitsTotal.toFixed(1)} bits, ` +
      `${OVERHEAD[ins.mode]} ${ins.overheadBits.toFixed(1)} bits; ` +
      `mode 0 would take ${p.fixedBodyBytes} body bytes`,
  ];
  return out.join('\n');
}

function json(ins: PayloadInspection): unknown {
  const round = (a: Float64Array) => Array.from(a, (v) => Math.round(v * 1000) / 1000);
  return {
    ok: true,
    totalBytes: ins.totalBytes,
    headerBytes: ins.headerBytes,
    bodyBytes: ins.bodyBytes,
    version: ins.version,
    mode: ins.mode,
    hasExtensions: ins.hasExtensions,
    profile: { id: ins.profileId, tag: ins.profileTag, name: ins.profile.name, sha256: toHex(ins.profile.sha256), h: ins.profile.h, w: ins.profile.w, k: ins.profile.planes.map((p) => p.k) },
    check: ins.check,
    extensions: extensionsToJson(ins.extensions),
    grid: Array.from(ins.grid),
    codedBits: round(ins.codedBits),
    idealBits: round(ins.idealBits),
    codedBitsTotal: ins.codedBitsTotal,
    idealBitsTotal: ins.idealBitsTotal,
    overheadBits: ins.overheadBits,
  };
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  if (args.positionals.length !== 1) throw new UsageError(`give one payload, FILE or HEX (got ${args.positionals.length})`);
  const payload = readPayload(args.positionals[0]!);
  const profiles = loadProfiles(args.options.get('profile') ?? []);
  if (profiles.size === 0) throw new UsageError('no profiles: pass --profile FILE.fvqp');
  let ins: PayloadInspection;
  try {
    ins = inspectPayload(payload, profiles);
  } catch (e) {
    if (!isFacevqError(e)) throw e;
    if (args.flags.has('json')) process.stdout.write(`${JSON.stringify({ ok: false, error: e.code, bitPos: e.bitPos, message: e.message })}\n`);
    else process.stderr.write(`facevq inspect: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(args.flags.has('json') ? `${JSON.stringify(json(ins), null, 2)}\n` : `${text(ins)}\n`);
  return 0;
}
