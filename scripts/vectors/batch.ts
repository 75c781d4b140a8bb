/** Batch-envelope vectors (§11): valid envelopes with per-item results, and invalid envelopes. */

import { encodeGrid } from '../../src/codec/index.js';
import { makeRng, sampleGrid } from '../../src/codec/_testing.js';
import { writeMsgpack, type MsgInput } from '../../src/codec/_msgpack.js';
import { bytesOf, splice, writeWide, type NamedProfile, type VectorSet } from './_tools.js';

export function batchVectors(set: VectorSet, P: ReadonlyMap<string, NamedProfile>): void {
  const tiny = P.get('tiny')!.profile, pq = P.get('pq')!.profile;
  const rng = makeRng(11000);
  const a = encodeGrid(sampleGrid(tiny, rng, 1), tiny, { mode: 1 });
  const b = encodeGrid(sampleGrid(pq, rng, 1), pq, { mode: 0, extensions: { captureTime: 1700000000 } });
  const c = a.slice();
  c[2] = c[2]! ^ 0x40; // check byte broken
  const env = (items: MsgInput[], extra: Record<string, MsgInput> = {}) => writeMsgpack({ v: 1, items, ...extra });
  const item = (id: MsgInput, payload: MsgInput) => ({ id, payload });

  const v = set.file('batch/valid.json', 'batch', 'Valid batch envelopes (§11); each item decoded on its own, a bad payload spoiling nothing else.');
  v.batch('tiny', env([item('one', a)]), 'one item', '§11', 'valid');
  v.batch(['tiny', 'pq'], env([item('a', a), item('b', b), item('c', c)]), 'three items under two profiles, the third with a bad check byte', '§11', 'valid');
  v.batch('tiny', env([item('short', bytesOf(0x14)), item('ok', a)]), 'a one-byte payload fails alone', '§11', 'valid');
  v.batch('tiny', env([item('x', a)], { note: 'ignored', more: [1, { deep: null }] }), 'unknown keys in the envelope are ignored', '§11', 'valid');
  v.batch('tiny', env([{ payload: a, id: 'x', extra: true }]), 'item keys in another order, with an unknown key', '§11', 'valid');
  v.batch('tiny', writeMsgpack({ items: [item('x', a)], v: 1 }), 'items before v', '§11', 'valid');
  v.batch('tiny', writeWide({ v: 1, items: [{ id: 'wide', payload: a }] }), 'longest encodings (uint 64, str 32, bin 32, array 32, map 32)', '§11, §10.2', 'valid');
  v.batch('tiny', env([item('i'.repeat(128), a)]), 'id of 128 bytes', '§11', 'valid');
  v.batch('tiny', env([item('visage-é-顔', a)]), 'id in UTF-8', '§11', 'valid');
  v.batch('tiny', env([item('big', bytesOf(a, new Uint8Array(1024 - a.length)))]), 'a payload of 1024 bytes (fails alone: E_CHECK or E_NONCANONICAL)', '§11, §14', 'valid');
  v.batch('tiny', env(Array.from({ length: 1000 }, (_, i) => item(String(i), i % 2 ? a : bytesOf(0x00)))), '1000 items', '§11, §14', 'valid');

  const x = set.file('batch/invalid.json', 'batch', 'Invalid batch envelopes (§11): E_BATCH_FORMAT, E_BATCH_LIMIT, E_TOO_LARGE.');
  const F = 'E_BATCH_FORMAT' as const;
  x.batch('tiny', new Uint8Array(0), 'empty', '§11', F);
  x.batch('tiny', bytesOf(0xc1), 'not MessagePack', '§11', F);
  x.batch('tiny', writeMsgpack([1, [item('x', a)]]), 'an array, not a map', '§11', F);
  x.batch('tiny', writeMsgpack({ items: [item('x', a)] }), 'v missing', '§11', F);
  x.batch('tiny', writeMsgpack({ v: 2, items: [item('x', a)] }), 'v = 2', '§11', F);
  x.batch('tiny', writeMsgpack({ v: '1', items: [item('x', a)] }), 'v a str', '§11', F);
  x.batch('tiny', writeMsgpack({ v: 1 }), 'items missing', '§11', F);
  x.batch('tiny', writeMsgpack({ v: 1, items: { x: a } }), 'items a map', '§11', F);
  x.batch('tiny', env([]), 'no items', '§11', F);
  x.batch('tiny', env(Array.from({ length: 1001 }, (_, i) => item(String(i), bytesOf(0x00)))), '1001 items', '§11, §14', 'E_BATCH_LIMIT');
  x.batch('tiny', env([a]), 'an item that is a bin, not a map', '§11', F);
  x.batch('tiny', env([{ payload: a }]), 'id missing', '§11', F);
  x.batch('tiny', env([item(7, a)]), 'id a uint', '§11', F);
  x.batch('tiny', env([item('', a)]), 'id empty', '§11', F);
  x.batch('tiny', env([item('i'.repeat(129), a)]), 'id of 129 bytes', '§11', 'E_BATCH_LIMIT');
  x.batch('tiny', env([{ id: 'x' }]), 'payload missing', '§11', F);
  x.batch('tiny', env([item('x', 'payload')]), 'payload a str', '§11', F);
  x.batch('tiny', env([item('x', new Uint8Array(0))]), 'payload empty', '§11', F);
  x.batch('tiny', env([item('x', new Uint8Array(1025))]), 'payload of 1025 bytes', '§11, §14', 'E_TOO_LARGE');
  x.batch('tiny', env([item('x', a), item('y', a), item('x', b)]), 'id "x" twice', '§11', F);
  x.batch('tiny', splice(env([item('MARK', a)]), bytesOf(0x82, 0xa2, 0x69, 0x64), bytesOf(0x83, 0xa2, 0x69, 0x64, 0xa1, 0x7a, 0xa2, 0x69, 0x64)), 'key "id" twice in an item', '§11', F);
  x.batch('tiny', bytesOf(env([item('x', a)]), 0xc0), 'a byte after the envelope', '§11', F);
  const whole = env([item('x', a)]);
  x.batch('tiny', whole.subarray(0, whole.length - 1), 'envelope cut by one byte', '§11', F);
  x.batch('tiny', env([item('x', a)], { deep: [[[[[[[[1]]]]]]]] }), 'nesting deeper than 8', '§11, §10.2', F);
  x.batch('tiny', env([item('i'.repeat(129), a), item('y', a), item('y', a)]), 'item 0 id too long, items 1 and 2 repeat an id: item 0 first', '§11', 'E_BATCH_LIMIT');
  x.batch('tiny', env([item('y', a), item('y', a), item('i'.repeat(129), a)]), 'items 0 and 1 repeat an id, item 2 id too long: item 1 first', '§11', F);
}
