/**
 * Profile-file vectors (§10, §14): valid files in shortest and non-shortest MessagePack, then one
 * defect per invalid case, found by the checks of §10 in the order §10.2 gives.
 */

import { fitFrequencies, type ProfileMeta } from '../../src/codec/index.js';
import { sha256 } from '../../src/codec/_sha256.js';
import { readMsgpack, writeMsgpack, MsgFloat, type MsgInput, type MsgMap, type MsgValue } from '../../src/codec/_msgpack.js';
import { bytesOf, splice, writeWide, WideFloat, type NamedProfile, type VectorSet, type WideValue } from './_tools.js';

/** A profile body being edited: keys to MessagePack values (`undefined` leaves a key out). */
export type Body = { [key: string]: MsgInput | undefined };

/** The body of a profile file as a plain object (bins are copies). */
export function bodyOf(file: Uint8Array): Body {
  const outer = readMsgpack(file, { errorCode: 'E_PROFILE_FORMAT' }) as MsgMap;
  return copy(readMsgpack(outer.profile as Uint8Array, { errorCode: 'E_PROFILE_FORMAT' })) as Body;
}

function copy(v: MsgValue | MsgInput): MsgInput {
  if (v instanceof MsgFloat) return v;
  if (v instanceof Uint8Array) return v.slice();
  if (Array.isArray(v)) return (v as MsgInput[]).map(copy);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x as MsgInput)]));
  return v;
}

/** A profile file around `body` bytes: `{profile, sha256}`, the digest correct unless given. */
export function wrap(body: Uint8Array, digest: Uint8Array = sha256(body)): Uint8Array {
  return writeMsgpack({ profile: body, sha256: digest });
}

/** A profile file around `body`, the digest correct. */
export const file = (body: Body) => wrap(writeMsgpack(body));

/**
 * A minimal, consistent body for a grid shape, no validation: zero codebooks, near-uniform
 * priors, an empty head (`head.dim` = the input size). For limit vectors: one field out of range,
 * everything else consistent with it.
 */
export function rawBody(o: { h: number; w: number; k: number[]; dim: number[]; maxBytes?: number; contextTables?: number }): Body {
  const bits = o.k.reduce((a, k) => a + Math.max(1, Math.ceil(Math.log2(k))), 0);
  const b0 = Math.ceil((o.h * o.w * bits) / 8);
  const table = (k: number) => u16(fitFrequencies(new Array<number>(Math.max(k, 1)).fill(1)));
  const n = o.h * o.w * o.k.length;
  const body: Body = {
    format: 'facevq-profile',
    version: 1,
    id: 9,
    name: 'limits',
    grid: { h: o.h, w: o.w, k: o.k, dim: o.dim },
    maxBytes: o.maxBytes ?? Math.min(1024, 3 + b0),
    codebooks: o.k.map((k, g) => new Uint8Array(4 * k * o.dim[g]!)),
    prior: o.k.map(table),
  };
  if (o.contextTables !== undefined) {
    const T = o.contextTables;
    body.context = {
      tables: Array.from({ length: T }, () => table(o.k[0]!)),
      plane: new Uint8Array(T),
      map: u16(Array.from({ length: n }, (_, i) => i % Math.max(T, 1))),
    };
  }
  const input = o.h * o.w * o.dim.reduce((a, d) => a + d, 0);
  body.head = { dim: input, layers: [] };
  body.thresholds = { far1e2: new MsgFloat(0.3), far1e3: new MsgFloat(0.4), far1e4: new MsgFloat(0.5) };
  body.crop = { size: 64, channels: 3, template: [0.3, 0.4, 0.7, 0.4, 0.5, 0.6, 0.35, 0.8, 0.65, 0.8].map((v) => new MsgFloat(v)) };
  body.meta = {} satisfies ProfileMeta;
  return body;
}

/** Little-endian u16 values as a bin (§10.2). */
export function u16(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    out[2 * i] = values[i]! & 255;
    out[2 * i + 1] = values[i]! >> 8;
  }
  return out;
}

/** `body` with `path` (dot-separated) set to `value` (`undefined` removes the key). */
export function edit(body: Body, path: string, value: MsgInput | undefined): Body {
  const b = copy(body as MsgInput) as Body;
  const keys = path.split('.');
  let m = b as Record<string, MsgInput | undefined>;
  for (const k of keys.slice(0, -1)) m = m[k] as Record<string, MsgInput | undefined>;
  if (value === undefined) delete m[keys.at(-1)!];
  else m[keys.at(-1)!] = value;
  return b;
}

/** The body bytes with the str value `"@@MARK@@"` (in meta) replaced by raw MessagePack. */
function withRaw(body: Body, raw: Uint8Array, key = 'x'): Uint8Array {
  const marked = edit(body, `meta.${key}`, '@@MARK@@');
  return splice(writeMsgpack(marked), bytesOf(0xa8, ...new TextEncoder().encode('@@MARK@@')), raw);
}

export function profileVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const tinyFile = P.get('tiny')!.bytes;
  const tiny = bodyOf(tinyFile);
  const mixed = bodyOf(P.get('mixed')!.bytes);

  const v = set.file('profile/valid.json', 'profile', 'Valid profile files (§10): the test profiles, and the same content in other MessagePack encodings a reader MUST accept (§10.2).');
  // Profiles added after this file was frozen get their case at its end, below.
  const LATER = ['k4096'];
  for (const [name, p] of P) if (!LATER.includes(name)) v.profile(p.bytes, `test profile ${name}`, '§10', 'valid');
  v.profile(writeWide({ profile: writeWide(tiny as WideValue), sha256: sha256(writeWide(tiny as WideValue)) }), 'tiny in the longest encodings (uint 64, str 32, bin 32, array 32, map 32)', '§10.2', 'valid');
  const reversed = Object.fromEntries(Object.entries(tiny).reverse()) as Body;
  v.profile(writeMsgpack({ sha256: sha256(writeMsgpack(reversed)), profile: writeMsgpack(reversed) }), 'tiny with keys in reverse order, outer keys too', '§10', 'valid');
  v.profile(file({ ...edit(edit(tiny, 'grid.extra', [1, 2]), 'thresholds.note', 'x'), zzz: { nested: [null, true, -5, new MsgFloat(1.5)] } }), 'unknown keys in the body, grid and thresholds are ignored', '§10.2', 'valid');
  v.profile(file(edit(tiny, 'encoder', { file: 'encoder.onnx', sha256: new Uint8Array(32).fill(7), mean: new MsgFloat(0.5), std: new MsgFloat(0.25) })), 'with the optional encoder map', '§10.2', 'valid');
  const f32 = writeWide({ ...(tiny as WideValue as Record<string, WideValue>), thresholds: { far1e2: new WideFloat(0.3, 32), far1e3: new WideFloat(0.4, 32), far1e4: new WideFloat(0.5, 32) } });
  v.profile(wrap(f32), 'thresholds as float 32', '§10.2', 'valid');
  v.profile(file(edit(tiny, 'meta', { a: [[[[[[1]]]]]], s: 'text', n: -3, f: new MsgFloat(2.5), b: false, z: null })), 'meta nested to depth 8 (body map = 1)', '§10.2', 'valid');
  v.profile(file(edit(tiny, 'name', 'n'.repeat(32))), 'name of 32 bytes', '§10.2', 'valid');
  v.profile(file(edit(tiny, 'name', 'visage-é-顔')), 'name in UTF-8 (14 bytes)', '§10.2', 'valid');
  v.profile(file(rawBody({ h: 32, w: 32, k: [2], dim: [1] })), 'H = W = 32: 1024 indices', '§14', 'valid');
  v.profile(file(rawBody({ h: 1, w: 1, k: [4096], dim: [1] })), 'K = 4096', '§14', 'valid');
  v.profile(file(rawBody({ h: 1, w: 2, k: [2], dim: [256] })), 'dim = 256', '§14', 'valid');
  v.profile(file(rawBody({ h: 2, w: 2, k: [2, 2, 2, 2, 2, 2, 2, 2], dim: [1, 1, 1, 1, 1, 1, 1, 1] })), 'G = 8 planes', '§14', 'valid');
  v.profile(file(rawBody({ h: 32, w: 32, k: [2], dim: [1], contextTables: 1024 })), '1024 context tables', '§10.3, §14', 'valid');
  v.profile(file(rawBody({ h: 2, w: 2, k: [2], dim: [1], maxBytes: 1024 })), 'maxBytes = 1024', '§7, §14', 'valid');
  v.profile(file(edit(rawBody({ h: 2, w: 2, k: [2], dim: [1] }), 'head', { dim: 4, layers: Array.from({ length: 16 }, () => ({ op: 'relu' })) })), '16 head layers', '§14', 'valid');
  for (const name of LATER) v.profile(P.get(name)!.bytes, `test profile ${name}`, '§10', 'valid');

  const fmt = set.file('profile/invalid-format.json', 'profile', 'Profile files that are not MessagePack or miss a field or have one of the wrong type (§10, E_PROFILE_FORMAT).');
  const F = 'E_PROFILE_FORMAT' as const;
  const tinyBody = writeMsgpack(tiny);
  fmt.profile(new Uint8Array(0), 'empty file', '§10', F);
  fmt.profile(bytesOf(0xc1), 'the never-used byte 0xC1', '§10.2', F);
  fmt.profile(writeMsgpack([tinyBody, sha256(tinyBody)]), 'an array, not a map', '§10', F);
  fmt.profile(writeMsgpack({ profile: tinyBody, sha256: sha256(tinyBody), x: 1 }), 'a third key in the file map', '§10', F);
  fmt.profile(writeMsgpack({ profile: tinyBody }), 'sha256 missing', '§10', F);
  fmt.profile(writeMsgpack({ profile: tinyBody, sha: sha256(tinyBody) }), 'sha256 under another key', '§10', F);
  fmt.profile(writeMsgpack({ profile: tinyBody, sha256: sha256(tinyBody).subarray(0, 31) }), 'sha256 of 31 bytes', '§10', F);
  fmt.profile(writeMsgpack({ profile: 'not a bin', sha256: sha256(new TextEncoder().encode('not a bin')) }), 'profile as a str', '§10', F);
  fmt.profile(bytesOf(tinyFile, 0x00), 'a byte after the file map', '§10.2', F);
  fmt.profile(tinyFile.subarray(0, tinyFile.length - 1), 'file cut by one byte', '§10.2', F);
  fmt.profile(wrap(bytesOf(tinyBody, 0xc0)), 'a byte after the body map (digest covers it)', '§10.2', F);
  fmt.profile(wrap(writeMsgpack([1, 2, 3])), 'body is an array', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0xd4, 0x01, 0x00))), 'an ext type (fixext 1) in meta', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x91, 0x01))), 'meta nested to depth 9', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02))), 'a key repeated in a map (meta)', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0x81, 0x01, 0x02))), 'an integer map key (meta)', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0xa2, 0xc3, 0x28))), 'invalid UTF-8 in a str (meta)', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0))), 'integer 2^53 (meta)', '§10.2', F);
  fmt.profile(wrap(withRaw(tiny, bytesOf(0xc6, 0x00, 0xff, 0xff, 0xff))), 'a bin length (2^24 - 1) running past the end of the body', '§10.2', F);
  const drop = (k: string) => file(edit(tiny, k, undefined));
  for (const k of ['format', 'version', 'id', 'name', 'grid', 'maxBytes', 'codebooks', 'prior', 'head', 'thresholds', 'crop', 'meta']) {
    fmt.profile(drop(k), `${k} missing`, '§10.2', F);
  }
  const bad: [string, MsgInput | undefined, string][] = [
    ['format', 'facevq-profil', 'format "facevq-profil"'],
    ['version', 2, 'version 2'],
    ['version', '1', 'version as a str'],
    ['id', 16, 'id 16'],
    ['id', -1, 'id -1'],
    ['name', 'n'.repeat(33), 'name of 33 bytes'],
    ['name', 7, 'name as a uint'],
    ['grid.k', 5, 'grid.k a uint, not an array'],
    ['grid.dim', [2, 2], 'grid.dim with 2 entries, grid.k with 1'],
    ['grid.k', ['5'], 'grid.k[0] a str'],
    ['grid.h', new MsgFloat(2.5), 'grid.h a float'],
    ['codebooks', [], 'no codebooks for 1 plane'],
    ['codebooks', [new Uint8Array(36)], 'codebook of 36 bytes, expected 40'],
    ['codebooks', [[1, 2, 3]], 'codebook as an array'],
    ['prior', [], 'no prior for 1 plane'],
    ['prior', [new Uint8Array(9)], 'prior of 9 bytes (odd)'],
    ['prior', [[6554, 6554, 6554, 6553, 6553]], 'prior as an array of uint'],
    ['context', null, 'context nil'],
    ['context', { plane: new Uint8Array(0), map: new Uint8Array(8) }, 'context.tables missing'],
    ['head.layers', [{ op: 'tanh' }], 'head op "tanh"'],
    ['head.layers', [7], 'head layer a uint, not a map'],
    ['head.layers', [{ op: 'dense', in: 7, out: 2, weight: new Uint8Array(56), bias: new Uint8Array(8) }], 'dense in = 7, input size 8'],
    ['head.layers', [{ op: 'dense', in: 8, out: 2, weight: new Uint8Array(60), bias: new Uint8Array(8) }], 'dense weight of 60 bytes, expected 64'],
    ['head.layers', [{ op: 'prelu', alpha: new Uint8Array(4) }], 'prelu alpha of 1 value for 8 inputs'],
    ['head.dim', 9, 'head.dim 9, head output 8'],
    ['thresholds.far1e3', undefined, 'thresholds.far1e3 missing'],
    ['thresholds.far1e2', 'high', 'thresholds.far1e2 a str'],
    ['crop.template', [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((x) => new MsgFloat(x)), 'crop.template of 9 floats'],
    ['crop.channels', 'rgb', 'crop.channels a str'],
    ['meta', [1], 'meta an array'],
    ['encoder', { file: 'e.onnx', sha256: new Uint8Array(31), mean: new MsgFloat(0), std: new MsgFloat(1) }, 'encoder.sha256 of 31 bytes'],
  ];
  for (const [path, value, what] of bad) {
    const base = path === 'head.layers' || path === 'head.dim' ? edit(tiny, 'head', { dim: 8, layers: [] }) : tiny;
    fmt.profile(file(edit(base, path, value)), what, '§10.2', F);
  }

  const dig = set.file('profile/invalid-digest.json', 'profile', 'Profile files whose sha256 does not match the profile bytes (§10.1, E_PROFILE_DIGEST).');
  const D = 'E_PROFILE_DIGEST' as const;
  const flipped = sha256(tinyBody);
  flipped[31] = flipped[31]! ^ 1;
  dig.profile(wrap(tinyBody, flipped), 'last digest bit flipped', '§10.1', D);
  dig.profile(wrap(tinyBody, sha256(new Uint8Array(0))), 'digest of the empty string', '§10.1', D);
  dig.profile(wrap(tinyBody, new Uint8Array(32)), 'digest all zero', '§10.1', D);
  const changed = tinyBody.slice();
  changed[changed.length - 1] = changed[changed.length - 1]! ^ 0x01;
  dig.profile(wrap(changed, sha256(tinyBody)), 'body changed after hashing', '§10.1', D);
  dig.profile(wrap(bytesOf(0xc1), sha256(tinyBody)), 'body not MessagePack and the digest wrong: digest first', '§10', D);

  const lim = set.file('profile/invalid-limits.json', 'profile', 'Profile values beyond the limits of §14, or 3 + B0 > maxBytes (§7) (E_PROFILE_LIMIT); each profile consistent otherwise.');
  const L = 'E_PROFILE_LIMIT' as const;
  const limits: [string, Parameters<typeof rawBody>[0]][] = [
    ['h = 0', { h: 0, w: 2, k: [2], dim: [1] }],
    ['h = 33', { h: 33, w: 1, k: [2], dim: [1] }],
    ['w = 33', { h: 1, w: 33, k: [2], dim: [1] }],
    ['no planes (G = 0)', { h: 2, w: 2, k: [], dim: [] }],
    ['G = 9 planes', { h: 1, w: 1, k: new Array(9).fill(2), dim: new Array(9).fill(1) }],
    ['H*W*G = 2048', { h: 32, w: 32, k: [2, 2], dim: [1, 1] }],
    ['K = 1', { h: 2, w: 2, k: [1], dim: [1] }],
    ['K = 4097', { h: 1, w: 1, k: [4097], dim: [1] }],
    ['dim = 0', { h: 2, w: 2, k: [2], dim: [0] }],
    ['dim = 257', { h: 1, w: 1, k: [2], dim: [257] }],
    ['maxBytes = 3 + B0 - 1', { h: 4, w: 4, k: [16], dim: [1], maxBytes: 10 }],
    ['maxBytes = 1025', { h: 2, w: 2, k: [2], dim: [1], maxBytes: 1025 }],
    ['1025 context tables', { h: 32, w: 32, k: [2], dim: [1], contextTables: 1025 }],
  ];
  for (const [what, o] of limits) lim.profile(file(rawBody(o)), what, '§14', L);
  const small = rawBody({ h: 2, w: 2, k: [2], dim: [1] });
  lim.profile(file(edit(small, 'head', { dim: 4, layers: Array.from({ length: 17 }, () => ({ op: 'relu' })) })), '17 head layers', '§14', L);
  lim.profile(file(edit(small, 'head', { dim: 2 ** 24 + 1, layers: [{ op: 'dense', in: 4, out: 2 ** 24 + 1, weight: new Uint8Array(0), bias: new Uint8Array(0) }] })), 'dense out = 2^24 + 1', '§14', L);
  lim.profile(file(edit(small, 'head', { dim: 2 ** 22 + 1, layers: [{ op: 'dense', in: 4, out: 2 ** 22 + 1, weight: new Uint8Array(0), bias: new Uint8Array(0) }] })), 'dense of 4 x (2^22 + 1) weights', '§14', L);
  lim.profile(file(edit(rawBody({ h: 33, w: 1, k: [2], dim: [1] }), 'version', 2)), 'version 2 and h = 33: version first (table order)', '§10.2', F);
  lim.profile(file(edit(rawBody({ h: 33, w: 1, k: [2], dim: [1] }), 'codebooks', [])), 'h = 33 and no codebooks: grid first (table order)', '§10.2', L);

  const tab = set.file('profile/invalid-tables.json', 'profile', 'Invalid frequency tables and context maps (§6.1, §10.3, E_PROFILE_TABLE).');
  const T = 'E_PROFILE_TABLE' as const;
  const prior = tiny.prior as Uint8Array[];
  const freqs = Array.from({ length: 5 }, (_, s) => prior[0]![2 * s]! | (prior[0]![2 * s + 1]! << 8));
  const withPrior = (f: number[]) => file(edit(tiny, 'prior', [u16(f)]));
  tab.profile(withPrior([0, freqs[0]! + freqs[1]!, ...freqs.slice(2)]), 'prior with a zero entry (sum 2^15)', '§6.1', T);
  tab.profile(withPrior([freqs[0]! - 1, ...freqs.slice(1)]), 'prior summing to 32767', '§6.1', T);
  tab.profile(withPrior([freqs[0]! + 1, ...freqs.slice(1)]), 'prior summing to 32769', '§6.1', T);
  tab.profile(withPrior([freqs[0]! + freqs[4]!, ...freqs.slice(1, 4)]), 'prior of 4 entries for K = 5 (sum 2^15)', '§6.1', T);
  tab.profile(withPrior([...freqs.slice(0, 4), freqs[4]! - 1, 1]), 'prior of 6 entries for K = 5 (sum 2^15)', '§6.1', T);
  const ctx = mixed.context as { tables: Uint8Array[]; plane: Uint8Array; map: Uint8Array };
  const withCtx = (c: Partial<typeof ctx>) => file(edit(mixed, 'context', { ...ctx, ...c }));
  const t0 = ctx.tables[0]!.slice();
  const z = u16([0, 32768]); // plane 0 has K = 2
  tab.profile(withCtx({ tables: [z, ...ctx.tables.slice(1)] }), 'context table 0 with a zero entry', '§6.1, §10.3', T);
  const s1 = t0.slice();
  s1[0] = s1[0]! ^ 1;
  tab.profile(withCtx({ tables: [s1, ...ctx.tables.slice(1)] }), 'context table 0 sum off by one', '§6.1, §10.3', T);
  tab.profile(withCtx({ tables: [...ctx.tables.slice(0, 2), ctx.tables[1]!, ...ctx.tables.slice(3)] }), 'context table 2 (plane 2, K = 300) with 7 entries', '§10.3', T);
  const p3 = ctx.plane.slice();
  p3[0] = 3;
  tab.profile(withCtx({ plane: p3 }), 'context.plane[0] = 3, G = 3', '§10.3', T);
  tab.profile(withCtx({ plane: ctx.plane.subarray(1) }), 'context.plane one entry short', '§10.3', T);
  tab.profile(withCtx({ map: ctx.map.subarray(2) }), 'context.map one entry short', '§10.3', T);
  const m1 = ctx.map.slice();
  m1[0] = ctx.tables.length & 255;
  m1[1] = ctx.tables.length >> 8;
  tab.profile(withCtx({ map: m1 }), 'context.map[0] names table T (no such table)', '§10.3', T);
  const m2 = ctx.map.slice();
  m2.set(ctx.map.subarray(2, 4), 0);
  m2.set(ctx.map.subarray(0, 2), 2);
  tab.profile(withCtx({ map: m2 }), 'context.map[0] and [1] swapped: tables of another plane', '§6.6, §10.3', T);
  tab.profile(withCtx({ tables: [], plane: new Uint8Array(0) }), 'no context tables', '§10.3', T);
  const mp = (mixed.prior as Uint8Array[]).slice();
  const bad2 = mp[2]!.slice();
  bad2[0] = bad2[0]! ^ 2;
  tab.profile(file(edit(mixed, 'prior', [mp[0]!, mp[1]!, bad2])), 'prior of plane 2 summing wrong', '§6.1', T);
}
