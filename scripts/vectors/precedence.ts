/**
 * Vectors that pin what spec/FORMAT.md once left open (issue 14): the code of each defect of a
 * profile file, a batch or an encoder request, and which code wins when one input has several
 * defects (spec/CONFORMANCE.md "Precedence of checks"). Each case with several defects says in
 * its description which check comes first and why.
 */

import { MsgFloat, writeMsgpack, type MsgInput } from '../../src/codec/_msgpack.js';
import { encodeGrid } from '../../src/codec/index.js';
import { makeRng, sampleGrid } from '../../src/codec/_testing.js';
import { bodyOf, edit, file, rawBody, u16, type Body } from './profile.js';
import { bytesOf, type NamedProfile, type VectorSet } from './_tools.js';

const F = 'E_PROFILE_FORMAT' as const;
const L = 'E_PROFILE_LIMIT' as const;
const T = 'E_PROFILE_TABLE' as const;

/** §10.2: uints are integer encodings only; floats accept integers; mean and std are one number each. */
function numberVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const f = set.file('profile/numbers.json', 'profile', 'Numbers in a profile body (§10.2): a whole float where a uint is due is E_PROFILE_FORMAT; a float field takes any integer encoding; encoder.mean and encoder.std are one number each.');
  const tiny = bodyOf(P.get('tiny')!.bytes);
  const bare = edit(tiny, 'head', { dim: 8, layers: [] }); // tiny's head input is 8 values
  const one = (v: number) => new MsgFloat(v);
  const wholeFloats: [Body, string][] = [
    [edit(tiny, 'version', one(1)), 'version 1.0 (float 64)'],
    [edit(tiny, 'id', one(1)), 'id 1.0'],
    [edit(tiny, 'grid.h', one(2)), 'grid.h 2.0'],
    [edit(tiny, 'grid.k', [one(5)]), 'grid.k[0] 5.0'],
    [edit(tiny, 'grid.dim', [one(2)]), 'grid.dim[0] 2.0'],
    [edit(tiny, 'maxBytes', one(tiny.maxBytes as number)), 'maxBytes as a float of the same value'],
    [edit(bare, 'head.dim', one(8)), 'head.dim 8.0'],
    [edit(bare, 'head.layers', [{ op: 'dense', in: one(8), out: 2, weight: new Uint8Array(64), bias: new Uint8Array(8) }]), 'dense in 8.0'],
    [edit(tiny, 'crop.size', one(64)), 'crop.size 64.0'],
    [edit(tiny, 'crop.channels', one(3)), 'crop.channels 3.0'],
  ];
  for (const [body, what] of wholeFloats) f.profile(file(body), `${what}: a float where a uint is due`, '§10.2', F);
  f.profile(file(edit(tiny, 'thresholds', { far1e2: 0, far1e3: 1, far1e4: 1 })), 'thresholds as integers 0, 1, 1: a float field takes an integer encoding', '§10.2', 'valid');
  f.profile(file(edit(tiny, 'crop.template', [0, 0, 1, 0, 0, 1, 1, 1, 0, 1])), 'crop.template as ten integers', '§10.2', 'valid');
  const encoder = { file: 'encoder.onnx', sha256: new Uint8Array(32).fill(3), mean: one(0.5), std: one(0.25) };
  f.profile(file(edit(tiny, 'encoder', { ...encoder, mean: 0, std: 1 })), 'encoder.mean 0 and encoder.std 1 as integers', '§10.2', 'valid');
  f.profile(file(edit(tiny, 'encoder', { ...encoder, mean: [one(0.5), one(0.4), one(0.3)] })), 'encoder.mean as one float per channel: one number is due', '§10.2', F);
  f.profile(file(edit(tiny, 'encoder', { ...encoder, std: [one(0.25)] })), 'encoder.std as an array of one float', '§10.2', F);
  f.profile(file(edit(tiny, 'crop.channels', 4)), 'crop.channels 4: only 3 is defined', '§10.2', F);
  f.profile(file(edit(tiny, 'crop.channels', 1)), 'crop.channels 1', '§10.2', F);
}

/** §6.1, §10.2, §10.3: the code of each table defect, and the order inside one key. */
function profileOrderVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const f = set.file('profile/precedence.json', 'profile', 'Profile files with one defect whose code the text once left open, and with several defects where the order of checks inside one key decides (spec/CONFORMANCE.md "Precedence of checks").');
  const tiny = bodyOf(P.get('tiny')!.bytes);
  const mixed = bodyOf(P.get('mixed')!.bytes); // G = 3, K = 2, 7, 300, with contexts
  const ctx = mixed.context as { tables: Uint8Array[]; plane: Uint8Array; map: Uint8Array };
  const withCtx = (c: { tables?: MsgInput; plane?: MsgInput; map?: MsgInput }) => file(edit(mixed, 'context', { ...ctx, ...c }));
  const oddMap = bytesOf(ctx.map, 0);
  const zeroTable0 = u16([0, 32768]); // plane 0 has K = 2
  const oddTable0 = bytesOf(ctx.tables[0]!, 0);
  const badPlane1 = ctx.plane.slice();
  badPlane1[1] = 3;

  // One defect each: u16 data of odd length is not u16 data (FORMAT); a count, a value or a
  // reference that is wrong is a table defect (TABLE).
  f.profile(withCtx({ map: oddMap }), 'context.map of odd byte length', '§10.2, §10.3', F);
  f.profile(withCtx({ tables: [oddTable0, ...ctx.tables.slice(1)] }), 'context.tables[0] of odd byte length', '§6.1, §10.2', F);
  f.profile(withCtx({ tables: [[1, 32767], ...ctx.tables.slice(1)] }), 'context.tables[0] an array, not a bin', '§10.2', F);
  f.profile(file(edit(mixed, 'prior', [u16([16384, 16383, 1]), ...(mixed.prior as Uint8Array[]).slice(1)])), 'prior[0] of 3 entries for K = 2 (sum 2^15)', '§6.1', T);
  f.profile(withCtx({ plane: bytesOf(ctx.plane, 0) }), 'context.plane one entry long', '§10.3', T);
  f.profile(withCtx({ map: bytesOf(ctx.map, ctx.map.subarray(0, 2)) }), 'context.map one entry long', '§10.3', T);
  const far = ctx.map.slice();
  far[10] = 0xff;
  far[11] = 0xff;
  f.profile(withCtx({ map: far }), 'context.map[5] = 65535, no such table', '§10.3', T);
  f.profile(withCtx({ tables: [], plane: new Uint8Array(0), map: new Uint8Array(0) }), 'no context tables and an empty map', '§10.3', T);

  // Several defects inside context: types, the count, plane and map lengths, each table after its plane, then the map.
  f.profile(withCtx({ tables: [], plane: new Uint8Array(0), map: oddMap }), 'no context tables and an odd-length map: the table count first', '§10.3', T);
  f.profile(withCtx({ plane: bytesOf(ctx.plane, 0), map: oddMap }), 'context.plane one entry long and an odd-length map: plane before map', '§10.3', T);
  f.profile(withCtx({ map: oddMap, tables: [zeroTable0, ...ctx.tables.slice(1)] }), 'odd-length map and table 0 with a zero entry: the map length before the tables', '§10.3', F);
  f.profile(withCtx({ plane: badPlane1, tables: [oddTable0, ...ctx.tables.slice(1)] }), 'table 0 of odd length and context.plane[1] = 3: table 0 and its plane before table 1', '§10.3', F);
  f.profile(withCtx({ map: far, tables: [zeroTable0, ...ctx.tables.slice(1)] }), 'table 0 with a zero entry and the map naming no table: the tables before the map', '§10.3', T);
  f.profile(withCtx({ tables: {}, map: 7 }), 'context.tables a map and context.map a uint: member types in the order tables, plane, map', '§10.3', F);
  f.profile(withCtx({ tables: Array.from({ length: 1025 }, () => ctx.tables[0]!), plane: new Uint8Array(0) }), '1025 context tables and a short plane: the count limit first', '§10.3, §14', L);

  // grid: h, w, then k and dim as arrays, G, the k/dim length match, H*W*G, then plane by plane.
  const g = (o: Record<string, MsgInput>) => file(edit(rawBody({ h: 2, w: 2, k: [2], dim: [1] }), 'grid', { h: 2, w: 2, k: [2], dim: [1], ...o }));
  f.profile(g({ k: [2, 2], dim: [1] }), 'grid.k of 2 entries, grid.dim of 1', '§10.2', F);
  f.profile(g({ k: [], dim: [1] }), 'no planes (G = 0) and grid.dim of 1 entry: G first', '§10.2, §14', L);
  f.profile(g({ h: 32, w: 32, k: [2, 2], dim: [1] }), 'H*W*G = 2048 and grid.dim of 1 entry for G = 2: the length match first', '§10.2', F);
  f.profile(g({ h: new MsgFloat(2), w: 33 }), 'grid.h 2.0 and grid.w = 33: h before w', '§10.2', F);
  f.profile(g({ h: 33, k: 'x' }), 'grid.h = 33 and grid.k a str: h before k', '§10.2, §14', L);
  f.profile(g({ k: [1], dim: ['x'] }), 'plane 0: K = 1 and dim a str: both types before the limits', '§10.2', F);
  f.profile(g({ k: [1, 'x'], dim: [1, 1] }), 'plane 0 K = 1, plane 1 K a str: plane by plane', '§10.2, §14', L);

  // Keys in table order, each complete before the next.
  const bad2 = (mixed.prior as Uint8Array[])[0]!.slice();
  bad2[0] = bad2[0]! ^ 1;
  f.profile(file(edit(mixed, 'prior', [bad2, bytesOf((mixed.prior as Uint8Array[])[1]!, 0), (mixed.prior as Uint8Array[])[2]!])), 'prior[0] summing wrong and prior[1] of odd length: plane by plane', '§6.1', T);
  f.profile(file(edit(edit(tiny, 'maxBytes', 4), 'codebooks', undefined)), 'maxBytes below 3 + B0 and codebooks missing: maxBytes first', '§10.2', L);

  // head: dim, layers, the layer count, then each layer's fields; a dense layer's `in` chains before the weight limit.
  const head = (layers: MsgInput[], dim: MsgInput = 8) => file(edit(tiny, 'head', { dim, layers }));
  f.profile(head([{ op: 'dense', in: 5, out: 2 ** 22, weight: new Uint8Array(0), bias: new Uint8Array(0) }]), 'dense in = 5 for an input of 8, and 5 x 2^22 weights: in first', '§10.4, §14', F);
  f.profile(head([{ op: 'dense', in: 8, out: 2 ** 22, weight: new Uint8Array(0), bias: new Uint8Array(0) }]), 'dense of 8 x 2^22 weights with an empty weight bin: the limit before the bins', '§10.4, §14', L);
  f.profile(head([{ op: 'tanh' }, ...Array.from({ length: 16 }, () => ({ op: 'relu' }))]), '17 layers, the first of op "tanh": the count first', '§10.4, §14', L);
  f.profile(head([{ op: 'relu' }], 'x'), 'head.dim a str and 1 layer: dim first', '§10.4', F);
}

/** §11: the order of checks inside one item, and of the envelope's own fields. */
function batchOrderVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const f = set.file('batch/precedence.json', 'batch', 'Batch envelopes with several defects (§11, spec/CONFORMANCE.md "Precedence of checks"): v, items, the item count, then item by item its types, id length, payload length and finally a repeated id.');
  const tiny = P.get('tiny')!.profile;
  const a = encodeGrid(sampleGrid(tiny, makeRng(14000), 1), tiny, { mode: 1 });
  const env = (items: MsgInput[], v: MsgInput = 1) => writeMsgpack({ v, items });
  const item = (id: MsgInput, payload: MsgInput) => ({ id, payload });
  const long = 'i'.repeat(129);
  const big = new Uint8Array(1025);
  f.batch('tiny', env([item('x', a)], new MsgFloat(1)), 'v 1.0 (float 64): a float where a uint is due', '§11, §10.2', 'E_BATCH_FORMAT');
  f.batch('tiny', env(Array.from({ length: 1001 }, (_, i) => item(String(i), a)), new MsgFloat(1)), 'v 1.0 and 1001 items: v first', '§11', 'E_BATCH_FORMAT');
  f.batch('tiny', env([item('', a), ...Array.from({ length: 1000 }, (_, i) => item(String(i), a))]), '1001 items, the first with an empty id: the count before the items', '§11, §14', 'E_BATCH_LIMIT');
  f.batch('tiny', env([item('x', a), item('x', big)]), 'item 1 repeats id "x" with a payload of 1025 bytes: sizes before the repeat', '§11', 'E_TOO_LARGE');
  f.batch('tiny', env([item(long, 'payload')]), 'an id of 129 bytes and a str payload: types before sizes', '§11', 'E_BATCH_FORMAT');
  f.batch('tiny', env([item(long, new Uint8Array(0))]), 'an id of 129 bytes and an empty payload: the id before the payload', '§11', 'E_BATCH_LIMIT');
  f.batch('tiny', env([item('', big)]), 'an empty id and a payload of 1025 bytes: the id first', '§11', 'E_BATCH_FORMAT');
  f.batch('tiny', env([item(7, big)]), 'an id that is a uint and a payload of 1025 bytes: types first', '§11', 'E_BATCH_FORMAT');
  f.batch('tiny', env([item('x', a), item('y', big), 7]), 'item 1 payload of 1025 bytes, item 2 not a map: items in order', '§11', 'E_TOO_LARGE');
  f.batch('tiny', env([item('x', a), { id: 'y', payload: a, extra: big }]), 'an unknown key holding a bin of 1025 bytes is ignored', '§11', 'valid');
}

/** §7: encoder precedence E_GRID, E_MODE, extension checks, E_OVER_BOUND; what `unknown` may hold. */
function encoderOrderVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const f = set.file('payload/encoder-precedence.json', 'payload', 'Encoder requests (§7): which code wins when a request has several defects (E_GRID, then E_MODE, then the extensions, then E_OVER_BOUND; inside the extensions every value, then a repeated type, then N), what `unknown` may list, and the limit of 255 on N (§4).');
  const rng = makeRng(14100);
  const tinyP = P.get('tiny')!.profile, tightP = P.get('tight')!.profile, kP = P.get('k4096')!.profile;
  const tiny = sampleGrid(tinyP, rng, 1), tight = sampleGrid(tightP, rng, 1), k4096 = sampleGrid(kP, rng, 1);
  const badIndex = Array.from(tiny);
  badIndex[1] = 5; // K = 5
  const nonce17 = new Uint8Array(17);
  const bytes = (n: number) => new Uint8Array(n).fill(0xab);
  const fill = [{ type: 0x10, value: bytes(40) }]; // 45 bytes of extensions: over tight's maxBytes in any mode
  f.encode('tiny', tiny.subarray(1), { mode: 2, extensions: { nonce: nonce17 } }, 'grid one index short, mode 2 forced without contexts, a nonce of 17 bytes: E_GRID first', '§7, §9', 'E_GRID');
  f.encode('tiny', badIndex, { mode: 2 }, 'index 5 for K = 5 and mode 2 forced without contexts: E_GRID first', '§7, §9', 'E_GRID');
  f.encode('tiny', tiny, { mode: 2, extensions: { nonce: nonce17 } }, 'mode 2 forced without contexts and a nonce of 17 bytes: E_MODE before the extensions', '§7', 'E_MODE');
  f.encode('tiny', tiny, { mode: 2, extensions: { unknown: [{ type: 0x10, value: bytes(200) }] } }, 'mode 2 forced without contexts and a payload over maxBytes: E_MODE first', '§7', 'E_MODE');
  f.encode('tight', tight, { mode: 0, extensions: { nonce: nonce17, unknown: fill } }, 'a nonce of 17 bytes and a payload over maxBytes: the extensions before the bound', '§7', 'E_EXT_MALFORMED');
  f.encode('tight', tight, { mode: 'auto', extensions: { unknown: [...fill, { type: 0x10, value: bytes(1) }] } }, 'type 0x10 twice and a payload over maxBytes: the extensions before the bound', '§7', 'E_EXT_DUPLICATE');
  f.encode('tiny', tiny, { mode: 'auto', extensions: { unknown: [{ type: 5, value: bytes(1) }, { type: 5, value: bytes(1) }, { type: 3, value: bytes(1) }] } }, 'unknown lists type 5 twice and type 3: every value before a repeat', '§7', 'E_EXT_MALFORMED');
  f.encode('k4096', k4096, { mode: 'auto', extensions: { unknown: [{ type: 6, value: bytes(200) }, { type: 6, value: bytes(100) }] } }, 'type 6 twice in a block of 304 bytes: a repeat before N', '§4, §7', 'E_EXT_DUPLICATE');
  f.encode('tiny', tiny, { mode: 'auto', extensions: { unknown: [{ type: 3, value: bytes(2) }] } }, 'unknown lists type 3 (key id has its own field)', '§7', 'E_EXT_MALFORMED');
  f.encode('tiny', tiny, { mode: 'auto', extensions: { unknown: [{ type: 1, value: bytes(4) }] } }, 'unknown lists type 1 (capture time has its own field)', '§7', 'E_EXT_MALFORMED');
  f.encode('tiny', tiny, { mode: 'auto', extensions: { nonce: bytes(2), unknown: [{ type: 0x7f, value: bytes(1) }, { type: 0x05, value: bytes(2) }, { type: 0x20, value: new Uint8Array(0) }] } }, 'unknown listed out of type order: written in increasing type order', '§4, §7', 'valid');
  f.encode('k4096', k4096, { mode: 'auto', extensions: { unknown: [{ type: 5, value: bytes(253) }] } }, 'one entry of 253 bytes: N = 255, the largest block', '§4, §7', 'valid');
  f.encode('k4096', k4096, { mode: 'auto', extensions: { unknown: [{ type: 5, value: bytes(254) }] } }, 'one entry of 254 bytes: N would be 256', '§4, §7', 'E_EXT_MALFORMED');
  f.encode('k4096', k4096, { mode: 'auto', extensions: { captureTime: 1, unknown: [{ type: 5, value: bytes(200) }, { type: 6, value: bytes(46) }] } }, 'three entries of 6 + 202 + 48 bytes: N would be 256', '§4, §7', 'E_EXT_MALFORMED');
}

/** §2.2: the same profile held twice is held once. Optional, as holding several profiles is. */
function heldTwiceVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const f = set.file('optional/payload/same-profile-twice.json', 'payload', 'A decoder given the same profile twice (one SHA-256) holds it once (§2.2); two different profiles with one id are a configuration error, never a payload outcome, so no vector names them. Optional: a decoder may hold one profile.');
  const tiny = P.get('tiny')!.profile;
  const rng = makeRng(14200);
  for (const mode of [0, 1, 3] as const) {
    f.decode(['tiny', 'tiny'], encodeGrid(sampleGrid(tiny, rng, 1), tiny, { mode }), `tiny held twice, mode ${mode}`, '§2.2', 'valid');
  }
}

export function precedenceVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  numberVectors(set, P);
  profileOrderVectors(set, P);
  batchOrderVectors(set, P);
  encoderOrderVectors(set, P);
  heldTwiceVectors(set, P);
}
