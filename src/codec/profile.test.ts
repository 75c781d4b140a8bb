import { describe, expect, it } from 'vitest';
import { readProfile, writeProfile, profileBody, profileFile, type ProfileInput } from './profile.js';
import { ProfileSet } from './profile-set.js';
import { writeMsgpack, type MsgInput } from './_msgpack.js';
import { sha256 } from './_sha256.js';
import { makeTestProfile, errorCode as code } from './_testing.js';

const base = makeTestProfile({ h: 2, w: 3, k: [16, 5], dim: [3, 2], context: true, seed: 7 });

/** Reads a file whose body is `input`'s body changed by `edit`. */
function readEdited(edit: (body: Record<string, any>) => void, input: ProfileInput = base.input): string {
  const body = profileBody(input) as Record<string, any>;
  edit(body);
  return code(() => readProfile(profileFile(body as MsgInput)));
}

describe('profile file (§10)', () => {
  it('round-trips every field', () => {
    const { profile, input, bytes } = base;
    expect(profile.id).toBe(0);
    expect(profile.name).toBe('test-0');
    expect(profile.sha256).toEqual(sha256(readProfileBody(bytes)));
    expect(profile.tag).toBe(profile.sha256[0]! >> 4);
    expect([profile.h, profile.w, profile.gridLength]).toEqual([2, 3, 12]);
    expect(profile.planes).toEqual([{ k: 16, dim: 3, bits: 4 }, { k: 5, dim: 2, bits: 3 }]);
    expect(profile.fixedBodyBytes).toBe(Math.ceil((6 * 7) / 8));
    expect(profile.maxBytes).toBe(input.maxBytes);
    expect(profile.codebooks).toEqual(input.codebooks);
    expect(profile.prior.map((t) => t.freq)).toEqual(input.prior);
    expect(profile.context!.tables.map((t) => t.freq)).toEqual(input.context!.tables);
    expect(Array.from(profile.context!.plane)).toEqual(Array.from(input.context!.plane));
    expect(Array.from(profile.context!.map)).toEqual(Array.from(input.context!.map));
    expect(profile.head.dim).toBe(8);
    expect(profile.head.layers).toEqual(input.head.layers);
    expect(profile.thresholds).toEqual(input.thresholds);
    expect(profile.crop).toEqual(input.crop);
    expect(profile.meta).toEqual({ synthetic: true, seed: 7 });
    expect(profile.bytes).toBe(bytes);
    expect(profile.encoder).toBeUndefined();
  });

  it('is deterministic: the same input gives the same bytes and hash', () => {
    expect(makeTestProfile({ h: 2, w: 3, k: [16, 5], dim: [3, 2], context: true, seed: 7 }).bytes).toEqual(base.bytes);
  });

  it('keeps the optional encoder block and ignores unknown keys (still covered by the hash)', () => {
    const input = { ...base.input, encoder: { file: 'enc.onnx', sha256: new Uint8Array(32).fill(9), mean: 0.5, std: 0.25 }, extra: { future: [1, 2, { x: 'y' }] } };
    const p = readProfile(writeProfile(input));
    expect(p.encoder).toEqual(input.encoder);
    expect(p.sha256).not.toEqual(readProfile(writeProfile({ ...input, extra: {} })).sha256);
  });

  it('accepts non-shortest encodings and integer-encoded floats (§10.2)', () => {
    const body = profileBody(base.input) as Record<string, any>;
    body.thresholds = { far1e2: 0, far1e3: 1, far1e4: 1 };
    const short = writeMsgpack(body as MsgInput);
    // Re-encode the top-level map header as map 32 and `version: 1` as uint 64.
    const long = Uint8Array.from([0xdf, 0, 0, 0, short[0]! & 0x0f, ...short.subarray(1)]);
    const at = indexOf(long, [0xa7, ...new TextEncoder().encode('version'), 0x01]);
    const widened = Uint8Array.from([...long.subarray(0, at + 8), 0xcf, 0, 0, 0, 0, 0, 0, 0, 1, ...long.subarray(at + 9)]);
    const file = writeMsgpack({ profile: widened, sha256: sha256(widened) });
    const p = readProfile(file);
    expect(p.thresholds).toEqual({ far1e2: 0, far1e3: 1, far1e4: 1 });
    expect(p.gridLength).toBe(12);
  });

  it('rejects bad files with E_PROFILE_FORMAT', () => {
    expect(code(() => readProfile(Uint8Array.of(0xc1)))).toBe('E_PROFILE_FORMAT');
    expect(code(() => readProfile(writeMsgpack([1, 2])))).toBe('E_PROFILE_FORMAT');
    const bodyBytes = writeMsgpack(profileBody(base.input) as MsgInput);
    expect(code(() => readProfile(writeMsgpack({ profile: bodyBytes })))).toBe('E_PROFILE_FORMAT');
    expect(code(() => readProfile(writeMsgpack({ profile: bodyBytes, sha256: sha256(bodyBytes), x: 1 })))).toBe('E_PROFILE_FORMAT');
    expect(code(() => readProfile(writeMsgpack({ profile: bodyBytes, sha256: sha256(bodyBytes).subarray(0, 31) })))).toBe('E_PROFILE_FORMAT');
    expect(code(() => readProfile(Uint8Array.from([...base.bytes, 0])))).toBe('E_PROFILE_FORMAT');
    expect(code(() => readProfile(profileFile([1])))).toBe('E_PROFILE_FORMAT');
  });

  it('rejects a hash mismatch with E_PROFILE_DIGEST', () => {
    const bodyBytes = writeMsgpack(profileBody(base.input) as MsgInput);
    const wrong = sha256(bodyBytes);
    wrong[31]! ^= 1;
    expect(code(() => readProfile(writeMsgpack({ profile: bodyBytes, sha256: wrong })))).toBe('E_PROFILE_DIGEST');
    const flipped = Uint8Array.from(base.bytes);
    flipped[40]! ^= 0x10; // inside the body
    expect(code(() => readProfile(flipped))).toBe('E_PROFILE_DIGEST');
  });

  it.each<[string, (b: Record<string, any>) => void]>([
    ['format', (b) => (b.format = 'other')],
    ['version', (b) => (b.version = 2)],
    ['id over 15', (b) => (b.id = 16)],
    ['id mistyped', (b) => (b.id = '1')],
    ['name too long', (b) => (b.name = 'x'.repeat(33))],
    ['grid missing', (b) => delete b.grid],
    ['grid.dim count', (b) => (b.grid.dim = [3])],
    ['grid.k not uint', (b) => (b.grid.k = [16.5, 5])],
    ['codebook length', (b) => (b.codebooks[0] = b.codebooks[0].subarray(4))],
    ['codebooks count', (b) => b.codebooks.pop()],
    ['prior count', (b) => b.prior.pop()],
    ['prior odd bytes', (b) => (b.prior[0] = new Uint8Array(3))],
    ['head.dim', (b) => (b.head.dim = 7)],
    ['dense in', (b) => (b.head.layers[0].in = 5)],
    ['dense weight bytes', (b) => (b.head.layers[0].weight = b.head.layers[0].weight.subarray(4))],
    ['prelu alpha', (b) => (b.head.layers[3].alpha = new Uint8Array(4))],
    ['unknown op', (b) => (b.head.layers[1].op = 'gelu')],
    ['thresholds', (b) => (b.thresholds.far1e3 = 'x')],
    ['crop template', (b) => (b.crop.template = [1, 2])],
    ['meta', (b) => (b.meta = 3)],
    ['encoder sha256', (b) => (b.encoder = { file: 'f', sha256: new Uint8Array(31), mean: 0, std: 1 })],
  ])('E_PROFILE_FORMAT: %s', (_, edit) => {
    expect(readEdited(edit)).toBe('E_PROFILE_FORMAT');
  });

  it.each<[string, (b: Record<string, any>) => void]>([
    ['h = 0', (b) => (b.grid.h = 0)],
    ['w = 33', (b) => (b.grid.w = 33)],
    ['G = 9', (b) => ((b.grid.k = new Array(9).fill(2)), (b.grid.dim = new Array(9).fill(1)))],
    ['K = 1', (b) => (b.grid.k[1] = 1)],
    ['K = 4097', (b) => (b.grid.k[0] = 4097)],
    ['dim = 0', (b) => (b.grid.dim[0] = 0)],
    ['dim = 257', (b) => (b.grid.dim[0] = 257)],
    ['H*W*G = 1028', (b) => ((b.grid.h = 32), (b.grid.w = 32), (b.grid.k = [2, 2]))],
    ['maxBytes < 3 + B0', (b) => (b.maxBytes = 3 + 5)],
    ['maxBytes > 1024', (b) => (b.maxBytes = 1025)],
    ['17 layers', (b) => (b.head.layers = new Array(17).fill({ op: 'relu' }))],
    ['dense over 2^24 weights', (b) => (b.head.layers[2] = { op: 'dense', in: 16, out: 2 ** 20 + 1, weight: new Uint8Array(0), bias: new Uint8Array(0) })],
  ])('E_PROFILE_LIMIT: %s', (_, edit) => {
    expect(readEdited(edit)).toBe('E_PROFILE_LIMIT');
  });

  it('rejects a file over 64 MiB before parsing it', () => {
    expect(code(() => readProfile(new Uint8Array(64 * 1024 * 1024 + 1)))).toBe('E_PROFILE_LIMIT');
  });

  const u16 = (...v: number[]) => new Uint8Array(Uint16Array.from(v).buffer);
  it.each<[string, (b: Record<string, any>) => void]>([
    ['prior zero entry', (b) => (b.prior[1] = u16(0, 8192, 8192, 8192, 8192))],
    ['prior sum', (b) => (b.prior[1] = u16(1, 8192, 8192, 8192, 8192))],
    ['prior length', (b) => (b.prior[1] = u16(8192, 8192, 8192, 8192))],
    ['context table for plane 0 in a plane-1 slot', (b) => (b.context.map = u16(0, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))],
    ['context map names a missing table', (b) => (b.context.map = u16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12))],
    ['context map length', (b) => (b.context.map = u16(0, 1))],
    ['context plane out of range', (b) => (b.context.plane[0] = 2)],
    ['context plane count', (b) => (b.context.plane = b.context.plane.subarray(1))],
    ['context table sum', (b) => (b.context.tables[1] = u16(1, 1, 1, 1, 1))],
  ])('E_PROFILE_TABLE: %s', (_, edit) => {
    expect(readEdited(edit)).toBe('E_PROFILE_TABLE');
  });

  it('writeProfile refuses to write what readProfile would reject', () => {
    expect(code(() => writeProfile({ ...base.input, maxBytes: 4 }))).toBe('E_PROFILE_LIMIT');
  });
});

describe('ProfileSet', () => {
  it('holds one profile per id', () => {
    const a = makeTestProfile({ id: 1, seed: 1 }).profile;
    const b = makeTestProfile({ id: 2, seed: 2 }).profile;
    const a2 = makeTestProfile({ id: 1, seed: 3 }).profile;
    const set = new ProfileSet([a, b]);
    expect(set.get(1)).toBe(a);
    expect(set.get(3)).toBeUndefined();
    expect(set.size).toBe(2);
    expect([...set]).toEqual([a, b]);
    expect(() => set.add(a2)).toThrow(RangeError);
    set.add(readProfile(a.bytes)); // same hash: fine
    expect(set.delete(1)).toBe(true);
    set.add(a2);
    expect(set.get(1)).toBe(a2);
    expect(set.has(2)).toBe(true);
  });
});

function indexOf(hay: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}

function readProfileBody(file: Uint8Array): Uint8Array {
  // The file is { profile: bin, sha256: bin } written shortest-first: skip map and key headers.
  const keyEnd = 1 + 1 + 'profile'.length;
  const t = file[keyEnd]!;
  if (t === 0xc4) return file.subarray(keyEnd + 2, keyEnd + 2 + file[keyEnd + 1]!);
  if (t === 0xc5) return file.subarray(keyEnd + 3, keyEnd + 3 + ((file[keyEnd + 1]! << 8) | file[keyEnd + 2]!));
  const n = ((file[keyEnd + 1]! << 24) | (file[keyEnd + 2]! << 16) | (file[keyEnd + 3]! << 8) | file[keyEnd + 4]!) >>> 0;
  return file.subarray(keyEnd + 5, keyEnd + 5 + n);
}

describe('readProfile on Node Buffers', () => {
  it('reads a profile held in a pooled Buffer view (whose slice() does not copy)', async () => {
    const { makeTestProfile } = await import('./_testing.js');
    const { bytes, profile } = makeTestProfile({ id: 3, name: 'buf', h: 2, w: 2, k: [5], dim: [3], seed: 9 });
    const pool = Buffer.alloc(bytes.length + 7);
    pool.set(bytes, 3);
    const view = pool.subarray(3, 3 + bytes.length);
    const read = readProfile(view);
    expect(Array.from(read.codebooks[0]!)).toEqual(Array.from(profile.codebooks[0]!));
  });
});
