/**
 * Signed captures (§4 types 0x01-0x04, §13): payloads whose auth tag is HMAC-SHA-256 under the
 * key each description ends with (`key <hex>`). As payload vectors they check the layout (every
 * conforming codec encodes and decodes them byte for byte); with that key, a signer (the TS
 * `signGrid` and the C `fvq_sign`, test/c-sign.test.ts) recomputes each payload from its grid,
 * mode, key id and capture time. Every tag is also recomputed here with node:crypto,
 * independently of the codec's Web Crypto path.
 */
import { createHmac } from 'node:crypto';
import { decodeGrid, signGrid } from '../../src/codec/index.js';
import { readExtensions } from '../../src/codec/extensions.js';
import { makeRng, sampleGrid } from '../../src/codec/_testing.js';
import type { NamedProfile, VectorSet } from './_tools.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The tag recomputed with node:crypto over M (§4: check byte and tag value zeroed). */
function independentTag(payload: Uint8Array, key: Uint8Array): string {
  const { tagOffset, tagLength } = readExtensions(payload, 3);
  const m = Uint8Array.from(payload);
  m[2] = 0;
  m.fill(0, tagOffset, tagOffset + tagLength);
  return createHmac('sha256', key).update(m).digest().subarray(0, tagLength).toString('hex');
}

export async function signedVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): Promise<void> {
  const f = set.file('payload/signed.json', 'payload', 'Signed captures (§13): capture time, key id and an auth tag, HMAC-SHA-256 under the key that ends each description (hex), with which a signer recomputes the payload.');
  const rng = makeRng(13000);
  const keys = [new Uint8Array(32).fill(0x0b), Uint8Array.from({ length: 32 }, (_, i) => i), new Uint8Array(16).fill(0xa5), new Uint8Array(64).fill(0x5c)];
  const cases: { name: string; mode: 0 | 1 | 2 | 3 | 'auto'; keyId: Uint8Array; time: number; tagLength: number }[] = [
    { name: 'ctx512', mode: 'auto', keyId: Uint8Array.of(0x01), time: 1_767_225_600, tagLength: 8 },
    { name: 'ctx512', mode: 0, keyId: Uint8Array.of(0x2a), time: 0, tagLength: 4 },
    { name: 'ctx512', mode: 1, keyId: Uint8Array.of(0x01, 0x00), time: 0xffffffff, tagLength: 16 },
    { name: 'ctx512', mode: 2, keyId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), time: 1_700_000_000, tagLength: 8 },
    { name: 'ctx512', mode: 3, keyId: Uint8Array.of(0xff), time: 86_400, tagLength: 12 },
    { name: 'k4096', mode: 'auto', keyId: Uint8Array.of(0x07), time: 1_767_225_600, tagLength: 8 },
  ];
  for (const [i, c] of cases.entries()) {
    const p = P.get(c.name)!.profile;
    const key = keys[i % keys.length]!;
    const grid = sampleGrid(p, rng, 1);
    const signed = await signGrid(grid, p, { keyId: c.keyId, key, time: c.time, tagLength: c.tagLength, maxBytes: 1024 }, { mode: c.mode });
    const { extensions } = decodeGrid(signed, p);
    if (hex(extensions.authTag!) !== independentTag(signed, key)) throw new Error(`signed vector ${i}: node:crypto disagrees with signGrid`);
    const description = `${c.name}, mode ${c.mode}: ${c.keyId.length}-byte key id, ${c.tagLength}-byte tag, key ${hex(key)}`;
    const bytes = f.encode(c.name, grid, { mode: c.mode, extensions }, description, '§4, §13');
    if (bytes === null || hex(bytes) !== hex(signed)) throw new Error(`signed vector ${i}: the encoder does not reproduce the signed payload`);
  }
}
