/**
 * The profile file (§10): what a payload's indices mean. {@link readProfile} validates a file
 * completely (§10, §14) before it allocates anything sized by the file's contents, then builds the
 * typed arrays and coding tables; {@link writeProfile} produces the canonical file from typed
 * arrays (tests, the vector generator and the model export use it).
 */

import { fail, type ErrorCode } from './errors.js';
import { sha256 } from './_sha256.js';
import { readMsgpack, writeMsgpack, isMsgMap, numberOf, encodeUtf8, MsgFloat, type MsgMap, type MsgValue, type MsgInput } from './_msgpack.js';
import { makeFreqTable, type FreqTable } from './_freq.js';
import { f32FromLE, f32ToLE, u16At, u16FromLE, u16ToLE } from './_le.js';

export { fitFrequencies, PROB_BITS, PROB_SCALE, type FreqTable } from './_freq.js';

/** §14 limits. */
export const LIMITS = {
  payloadBytes: 1024,
  side: 32,
  planes: 8,
  gridLength: 1024,
  kMin: 2,
  kMax: 4096,
  dimMax: 256,
  contextTables: 1024,
  headLayers: 16,
  denseWeights: 1 << 24,
  profileBytes: 64 * 1024 * 1024,
  batchItems: 1000,
  batchIdBytes: 128,
} as const;

/** One index plane (§1): codebook size, vector length, fixed width `ceil(log2 K)`. */
export interface Plane {
  readonly k: number;
  readonly dim: number;
  readonly bits: number;
}

/** One layer of the embedding head (§10.4). */
export type HeadLayer =
  | { readonly op: 'dense'; readonly in: number; readonly out: number; readonly weight: Float32Array; readonly bias: Float32Array }
  | { readonly op: 'relu' }
  | { readonly op: 'prelu'; readonly alpha: Float32Array }
  | { readonly op: 'l2norm' };

/** The context prior of mode 2 (§6.6, §10.3). */
export interface ProfileContext {
  /** `T` frequency tables. */
  readonly tables: readonly FreqTable[];
  /** The plane of each table. */
  readonly plane: Uint8Array;
  /** The table of each grid index, `H*W*G` entries. */
  readonly map: Uint16Array;
}

/** Scalar metadata; other values in the file's `meta` are dropped. */
export type ProfileMeta = Record<string, string | number | boolean>;

/** A validated profile (§10). Treat every field, typed arrays included, as read-only. */
export interface Profile {
  /** The payload's profile id, 0..15 (§2.2). */
  readonly id: number;
  readonly name: string;
  /** SHA-256 of the profile body (§10.1): the profile's identity. */
  readonly sha256: Uint8Array;
  /** `sha256[0] >> 4`, the payload's profile tag (§2.2). */
  readonly tag: number;
  readonly h: number;
  readonly w: number;
  readonly planes: readonly Plane[];
  /** `H*W*G`: the number of indices in a grid (§1). */
  readonly gridLength: number;
  /** The size bound of §7. */
  readonly maxBytes: number;
  /** `B0`: the bytes of a mode-0 body (§1). */
  readonly fixedBodyBytes: number;
  /** Plane `g`: `K_g * dim_g` values, entry-major. */
  readonly codebooks: readonly Float32Array[];
  /** Plane `g`: the mode-1 table (§6.1). */
  readonly prior: readonly FreqTable[];
  readonly context?: ProfileContext;
  readonly head: { readonly dim: number; readonly layers: readonly HeadLayer[] };
  readonly thresholds: { readonly far1e2: number; readonly far1e3: number; readonly far1e4: number };
  /** The face crop the encoder expects; `channels` is always 3 (RGB, §10.2). */
  readonly crop: { readonly size: number; readonly channels: number; readonly template: readonly number[] };
  /** The device encoder; its input is `(x - mean) / std`, one `mean` and `std` for every channel (§10.2). */
  readonly encoder?: { readonly file: string; readonly sha256: Uint8Array; readonly mean: number; readonly std: number };
  readonly meta: Readonly<ProfileMeta>;
  /** The profile file as given to {@link readProfile}. */
  readonly bytes: Uint8Array;
}

/** What {@link writeProfile} needs; the file's arrays come straight from these typed arrays. */
export interface ProfileInput {
  id: number;
  name: string;
  h: number;
  w: number;
  /** Codebook size of each plane. */
  k: readonly number[];
  /** Vector length of each plane. */
  dim: readonly number[];
  maxBytes: number;
  /** Plane `g`: `k[g] * dim[g]` values, entry-major. */
  codebooks: readonly Float32Array[];
  /** Plane `g`: `k[g]` frequencies summing to 2^15 (see {@link fitFrequencies}). */
  prior: readonly Uint16Array[];
  context?: { tables: readonly Uint16Array[]; plane: ArrayLike<number>; map: ArrayLike<number> };
  head: { dim: number; layers: readonly HeadLayer[] };
  thresholds: { far1e2: number; far1e3: number; far1e4: number };
  crop: { size: number; channels: number; template: readonly number[] };
  encoder?: { file: string; sha256: Uint8Array; mean: number; std: number };
  meta?: ProfileMeta;
  /** Extra body keys, written after the known ones (readers ignore them, §10.2). */
  extra?: Record<string, MsgInput>;
}

const FORMAT = 'facevq-profile';

// ---------------------------------------------------------------------------------------------
// Field access: every accessor fails with E_PROFILE_FORMAT naming the field.

function bad(what: string, code: ErrorCode = 'E_PROFILE_FORMAT'): never {
  return fail(code, -1, what);
}

function field(m: MsgMap, key: string, path: string): MsgValue {
  const v = m[key];
  if (v === undefined) bad(`${path}${key} missing`);
  return v;
}

/** §10.2 uint: an integer encoding only; a float, even a whole one (`2.0`), is E_PROFILE_FORMAT. */
function isUint(v: MsgValue | undefined): v is number {
  return typeof v === 'number' && v >= 0; // the reader returns integers as numbers, floats as MsgFloat
}

function uint(m: MsgMap, key: string, path: string): number {
  const v = field(m, key, path);
  if (!isUint(v)) bad(`${path}${key}: expected uint`);
  return v;
}

/** §10.2 floats: float32 or float64; an integer encoding is accepted too. One number, not an array. */
function float(m: MsgMap, key: string, path: string): number {
  const v = numberOf(field(m, key, path));
  if (v === undefined) bad(`${path}${key}: expected float`);
  return v;
}

function str(m: MsgMap, key: string, path: string): string {
  const v = field(m, key, path);
  if (typeof v !== 'string') bad(`${path}${key}: expected str`);
  return v;
}

function bin(m: MsgMap, key: string, path: string, bytes?: number): Uint8Array {
  const v = field(m, key, path);
  if (!(v instanceof Uint8Array)) bad(`${path}${key}: expected bin`);
  if (bytes !== undefined && v.length !== bytes) bad(`${path}${key}: ${v.length} bytes, expected ${bytes}`);
  return v;
}

function map(m: MsgMap, key: string, path: string): MsgMap {
  const v = field(m, key, path);
  if (!isMsgMap(v)) bad(`${path}${key}: expected map`);
  return v;
}

function array(m: MsgMap, key: string, path: string): MsgValue[] {
  const v = field(m, key, path);
  if (!Array.isArray(v)) bad(`${path}${key}: expected array`);
  return v;
}

function within(v: number, lo: number, hi: number, what: string): number {
  if (v < lo || v > hi) bad(`${what} = ${v}, allowed ${lo}..${hi}`, 'E_PROFILE_LIMIT');
  return v;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The bins and numbers of a body that passed every check; nothing sized by the file is allocated yet. */
interface Checked {
  body: MsgMap;
  id: number;
  name: string;
  h: number;
  w: number;
  planes: Plane[];
  gridLength: number;
  maxBytes: number;
  fixedBodyBytes: number;
  codebooks: Uint8Array[];
  prior: Uint8Array[];
  context: { tables: Uint8Array[]; plane: Uint8Array; map: Uint8Array } | undefined;
  headDim: number;
  layers: MsgMap[];
}

/** §10.2 grid and §14 limits. */
function checkGrid(body: MsgMap): { h: number; w: number; planes: Plane[]; gridLength: number; fixedBodyBytes: number } {
  const grid = map(body, 'grid', '');
  const h = within(uint(grid, 'h', 'grid.'), 1, LIMITS.side, 'grid.h');
  const w = within(uint(grid, 'w', 'grid.'), 1, LIMITS.side, 'grid.w');
  const ks = array(grid, 'k', 'grid.');
  const dims = array(grid, 'dim', 'grid.');
  within(ks.length, 1, LIMITS.planes, 'planes G');
  if (dims.length !== ks.length) bad(`grid.dim has ${dims.length} entries, grid.k ${ks.length}`);
  within(h * w * ks.length, 1, LIMITS.gridLength, 'H*W*G');
  const planes: Plane[] = [];
  let bitsPerPosition = 0;
  for (let g = 0; g < ks.length; g++) {
    const k = ks[g], dim = dims[g];
    if (!isUint(k)) bad(`grid.k[${g}]: expected uint`);
    if (!isUint(dim)) bad(`grid.dim[${g}]: expected uint`);
    within(k, LIMITS.kMin, LIMITS.kMax, `grid.k[${g}]`);
    within(dim, 1, LIMITS.dimMax, `grid.dim[${g}]`);
    const bits = 32 - Math.clz32(k - 1); // ceil(log2 K), §1
    planes.push({ k, dim, bits });
    bitsPerPosition += bits;
  }
  return { h, w, planes, gridLength: h * w * ks.length, fixedBodyBytes: Math.ceil((h * w * bitsPerPosition) / 8) };
}

/**
 * A table bin for a plane of `k` entries (§6.1): not a bin or an odd byte length (not u16 values)
 * is E_PROFILE_FORMAT; the wrong entry count, a zero entry or a sum other than 2^15 E_PROFILE_TABLE.
 */
function checkTable(b: MsgValue | undefined, k: number, what: string): Uint8Array {
  if (!(b instanceof Uint8Array)) bad(`${what}: expected bin`);
  if (b.length % 2 !== 0) bad(`${what}: odd byte length`);
  const n = b.length / 2;
  if (n !== k) bad(`${what}: ${n} entries, expected ${k}`, 'E_PROFILE_TABLE');
  let sum = 0;
  for (let s = 0; s < n; s++) {
    const f = u16At(b, s);
    if (f === 0) bad(`${what}: zero frequency for symbol ${s}`, 'E_PROFILE_TABLE');
    sum += f;
  }
  if (sum !== 32768) bad(`${what}: sum ${sum}, expected 32768`, 'E_PROFILE_TABLE');
  return b;
}

/**
 * §10.3 context, in the order of spec/CONFORMANCE.md "Precedence of checks": the three members'
 * types, the table count (limit, then at least one), the lengths of `plane` and `map`, each table
 * after its plane, then each map entry.
 */
function checkContext(body: MsgMap, planes: Plane[], gridLength: number): Checked['context'] {
  if (body.context === undefined) return undefined;
  const ctx = map(body, 'context', '');
  const tables = array(ctx, 'tables', 'context.');
  const plane = bin(ctx, 'plane', 'context.');
  const tmap = bin(ctx, 'map', 'context.');
  const T = within(tables.length, 0, LIMITS.contextTables, 'context tables');
  if (T === 0) bad('context.tables: no tables', 'E_PROFILE_TABLE');
  if (plane.length !== T) bad(`context.plane: ${plane.length} entries for ${T} tables`, 'E_PROFILE_TABLE');
  if (tmap.length % 2 !== 0) bad(`context.map: odd byte length ${tmap.length}, not u16 values`);
  if (tmap.length !== 2 * gridLength) bad(`context.map: ${tmap.length / 2} entries, expected ${gridLength}`, 'E_PROFILE_TABLE');
  const G = planes.length;
  const checked: Uint8Array[] = [];
  for (let t = 0; t < T; t++) {
    const g = plane[t]!;
    if (g >= G) bad(`context.plane[${t}] = ${g}: no such plane`, 'E_PROFILE_TABLE');
    checked.push(checkTable(tables[t], planes[g]!.k, `context.tables[${t}]`));
  }
  for (let n = 0; n < gridLength; n++) {
    const t = u16At(tmap, n);
    if (t >= T) bad(`context.map[${n}] = ${t}: no such table`, 'E_PROFILE_TABLE');
    if (plane[t] !== n % G) bad(`context.map[${n}] names a table of plane ${plane[t]}`, 'E_PROFILE_TABLE');
  }
  return { tables: checked, plane, map: tmap };
}

/** §10.4: layer fields, sizes chained from the head's input, `head.dim` the final size. */
function checkHead(body: MsgMap, inputSize: number): { headDim: number; layers: MsgMap[] } {
  const head = map(body, 'head', '');
  const headDim = uint(head, 'dim', 'head.');
  const list = array(head, 'layers', 'head.');
  within(list.length, 0, LIMITS.headLayers, 'head layers');
  const layers: MsgMap[] = [];
  let size = inputSize;
  for (let i = 0; i < list.length; i++) {
    const layer = list[i];
    const path = `head.layers[${i}].`;
    if (!isMsgMap(layer)) bad(`head.layers[${i}]: expected map`);
    const op = str(layer, 'op', path);
    if (op === 'dense') {
      const nIn = uint(layer, 'in', path), nOut = uint(layer, 'out', path);
      if (nIn !== size) bad(`${path}in = ${nIn}, but the previous size is ${size}`);
      within(nOut, 1, LIMITS.denseWeights, `${path}out`);
      within(nIn * nOut, 1, LIMITS.denseWeights, `${path}weights`);
      bin(layer, 'weight', path, 4 * nIn * nOut);
      bin(layer, 'bias', path, 4 * nOut);
      size = nOut;
    } else if (op === 'prelu') {
      bin(layer, 'alpha', path, 4 * size);
    } else if (op !== 'relu' && op !== 'l2norm') {
      bad(`${path}op: unknown "${op}"`);
    }
    layers.push(layer);
  }
  if (headDim !== size) bad(`head.dim = ${headDim}, but the head produces ${size}`);
  return { headDim, layers };
}

/** Every check of §10.2 and §14 on a parsed body, in field order. */
function checkBody(body: MsgMap): Checked {
  if (str(body, 'format', '') !== FORMAT) bad(`format: expected "${FORMAT}"`);
  if (uint(body, 'version', '') !== 1) bad('version: expected 1');
  const id = uint(body, 'id', '');
  if (id > 15) bad(`id = ${id}, allowed 0..15`);
  const name = str(body, 'name', '');
  if (encodeUtf8(name).length > 32) bad('name: longer than 32 bytes');
  const { h, w, planes, gridLength, fixedBodyBytes } = checkGrid(body);
  const maxBytes = uint(body, 'maxBytes', '');
  if (3 + fixedBodyBytes > maxBytes || maxBytes > LIMITS.payloadBytes) {
    bad(`maxBytes = ${maxBytes}, allowed ${3 + fixedBodyBytes}..${LIMITS.payloadBytes}`, 'E_PROFILE_LIMIT');
  }
  const G = planes.length;
  const cbs = array(body, 'codebooks', '');
  if (cbs.length !== G) bad(`codebooks: ${cbs.length} entries for ${G} planes`);
  const codebooks = cbs.map((cb, g) => {
    const p = planes[g]!;
    if (!(cb instanceof Uint8Array) || cb.length !== 4 * p.k * p.dim) bad(`codebooks[${g}]: expected bin of ${4 * p.k * p.dim} bytes`);
    return cb;
  });
  const priors = array(body, 'prior', '');
  if (priors.length !== G) bad(`prior: ${priors.length} entries for ${G} planes`);
  const prior = priors.map((b, g) => checkTable(b, planes[g]!.k, `prior[${g}]`));
  const context = checkContext(body, planes, gridLength);
  const inputSize = h * w * planes.reduce((a, p) => a + p.dim, 0);
  const { headDim, layers } = checkHead(body, inputSize);
  const th = map(body, 'thresholds', '');
  for (const k of ['far1e2', 'far1e3', 'far1e4']) float(th, k, 'thresholds.');
  const crop = map(body, 'crop', '');
  uint(crop, 'size', 'crop.');
  if (uint(crop, 'channels', 'crop.') !== 3) bad('crop.channels: expected 3');
  const template = array(crop, 'template', 'crop.');
  if (template.length !== 10 || template.some((v) => numberOf(v) === undefined)) bad('crop.template: expected 10 floats');
  if (body.encoder !== undefined) {
    const enc = map(body, 'encoder', '');
    str(enc, 'file', 'encoder.');
    bin(enc, 'sha256', 'encoder.', 32);
    float(enc, 'mean', 'encoder.');
    float(enc, 'std', 'encoder.');
  }
  map(body, 'meta', '');
  return { body, id, name, h, w, planes, gridLength, maxBytes, fixedBodyBytes, codebooks, prior, context, headDim, layers };
}

function buildLayer(layer: MsgMap): HeadLayer {
  switch (layer.op) {
    case 'dense':
      return {
        op: 'dense',
        in: layer.in as number,
        out: layer.out as number,
        weight: f32FromLE(layer.weight as Uint8Array),
        bias: f32FromLE(layer.bias as Uint8Array),
      };
    case 'prelu':
      return { op: 'prelu', alpha: f32FromLE(layer.alpha as Uint8Array) };
    case 'relu':
      return { op: 'relu' };
    default:
      return { op: 'l2norm' };
  }
}

/**
 * Parses and validates a profile file (§10, §14). Fails with `E_PROFILE_LIMIT` (file over 64 MiB
 * or a value beyond §14), `E_PROFILE_FORMAT`, `E_PROFILE_DIGEST` or `E_PROFILE_TABLE`. The result
 * keeps a reference to `file`.
 */
export function readProfile(file: Uint8Array): Profile {
  if (file.length > LIMITS.profileBytes) bad(`file of ${file.length} bytes`, 'E_PROFILE_LIMIT');
  const outer = readMsgpack(file, { errorCode: 'E_PROFILE_FORMAT' });
  if (!isMsgMap(outer) || Object.keys(outer).length !== 2) bad('file: expected a map of `profile` and `sha256`');
  const bodyBytes = bin(outer, 'profile', '');
  const digest = bin(outer, 'sha256', '', 32);
  const actual = sha256(bodyBytes);
  for (let i = 0; i < 32; i++) if (actual[i] !== digest[i]) bad('sha256 does not match the profile bytes', 'E_PROFILE_DIGEST');
  const body = readMsgpack(bodyBytes, { errorCode: 'E_PROFILE_FORMAT' });
  if (!isMsgMap(body)) bad('profile: expected a map');
  const c = checkBody(body);

  // Everything is valid: allocate.
  const ctx = c.context;
  const th = body.thresholds as MsgMap, crop = body.crop as MsgMap, enc = body.encoder as MsgMap | undefined;
  const meta: ProfileMeta = {};
  for (const [k, v] of Object.entries(body.meta as MsgMap)) {
    if (typeof v === 'string' || typeof v === 'boolean') meta[k] = v;
    else if (numberOf(v) !== undefined) meta[k] = numberOf(v)!;
  }
  const profile: Profile = {
    id: c.id,
    name: c.name,
    sha256: actual,
    tag: actual[0]! >> 4,
    h: c.h,
    w: c.w,
    planes: c.planes,
    gridLength: c.gridLength,
    maxBytes: c.maxBytes,
    fixedBodyBytes: c.fixedBodyBytes,
    codebooks: c.codebooks.map(f32FromLE),
    prior: c.prior.map((b) => makeFreqTable(u16FromLE(b))),
    ...(ctx && {
      context: {
        tables: ctx.tables.map((b) => makeFreqTable(u16FromLE(b))),
        plane: new Uint8Array(ctx.plane),
        map: u16FromLE(ctx.map),
      },
    }),
    head: { dim: c.headDim, layers: c.layers.map(buildLayer) },
    thresholds: { far1e2: numberOf(th.far1e2)!, far1e3: numberOf(th.far1e3)!, far1e4: numberOf(th.far1e4)! },
    crop: { size: crop.size as number, channels: crop.channels as number, template: (crop.template as MsgValue[]).map((v) => numberOf(v)!) },
    ...(enc && {
      encoder: { file: enc.file as string, sha256: new Uint8Array(enc.sha256 as Uint8Array), mean: numberOf(enc.mean)!, std: numberOf(enc.std)! },
    }),
    meta,
    bytes: file,
  };
  return profile;
}

// ---------------------------------------------------------------------------------------------
// Writing

function writeLayer(layer: HeadLayer): MsgInput {
  switch (layer.op) {
    case 'dense':
      return { op: 'dense', in: layer.in, out: layer.out, weight: f32ToLE(layer.weight), bias: f32ToLE(layer.bias) };
    case 'prelu':
      return { op: 'prelu', alpha: f32ToLE(layer.alpha) };
    default:
      return { op: layer.op };
  }
}

/** @internal The §10.2 body of `input` as a MessagePack value, keys in the order of the table. */
export function profileBody(input: ProfileInput): Record<string, MsgInput | undefined> {
  return {
    format: FORMAT,
    version: 1,
    id: input.id,
    name: input.name,
    grid: { h: input.h, w: input.w, k: [...input.k], dim: [...input.dim] },
    maxBytes: input.maxBytes,
    codebooks: input.codebooks.map(f32ToLE),
    prior: input.prior.map(u16ToLE),
    context: input.context && {
      tables: input.context.tables.map(u16ToLE),
      plane: Uint8Array.from(input.context.plane),
      map: u16ToLE(input.context.map),
    },
    head: { dim: input.head.dim, layers: input.head.layers.map(writeLayer) },
    thresholds: {
      far1e2: new MsgFloat(input.thresholds.far1e2),
      far1e3: new MsgFloat(input.thresholds.far1e3),
      far1e4: new MsgFloat(input.thresholds.far1e4),
    },
    crop: { size: input.crop.size, channels: input.crop.channels, template: input.crop.template.map((v) => new MsgFloat(v)) },
    encoder: input.encoder && {
      file: input.encoder.file,
      sha256: input.encoder.sha256,
      mean: new MsgFloat(input.encoder.mean),
      std: new MsgFloat(input.encoder.std),
    },
    meta: input.meta ?? {},
    ...input.extra,
  };
}

/** @internal The §10 file around a body: `{ profile: bin, sha256: bin }`, without any check. */
export function profileFile(body: MsgInput): Uint8Array {
  const bodyBytes = writeMsgpack(body);
  return writeMsgpack({ profile: bodyBytes, sha256: sha256(bodyBytes) });
}

/**
 * Builds a profile file (§10) from typed arrays, keys in the order of the §10.2 table, floats as
 * float64. The result is checked with {@link readProfile}, so it fails exactly as a reader would
 * (`E_PROFILE_*`) rather than producing a file no one can load.
 */
export function writeProfile(input: ProfileInput): Uint8Array {
  const file = profileFile(profileBody(input));
  readProfile(file);
  return file;
}
