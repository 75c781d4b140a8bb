import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from './batch.js';
import { writeMsgpack, type MsgInput } from './_msgpack.js';
import { errorCode as code } from './_testing.js';

const items = [
  { id: 'a', payload: Uint8Array.of(0x14, 0x10, 1, 2) },
  { id: 'ü'.repeat(64), payload: new Uint8Array(1024).fill(3) },
];

describe('batch envelope (§11)', () => {
  it('round-trips', () => {
    const bytes = encodeBatch(items);
    expect(decodeBatch(bytes)).toEqual(items);
    expect(bytes[0]).toBe(0x82); // { v, items }
  });

  it('ignores unknown keys, rejects structure errors with E_BATCH_FORMAT', () => {
    const env = (x: Record<string, MsgInput>) => writeMsgpack(x);
    expect(decodeBatch(env({ v: 1, items: [{ id: 'x', payload: Uint8Array.of(1), extra: 1 }], note: 'hi' }))).toEqual([{ id: 'x', payload: Uint8Array.of(1) }]);
    expect(code(() => decodeBatch(Uint8Array.of(0xc1)))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 2, items: [] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ items: [{ id: 'x', payload: Uint8Array.of(1) }] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: {} })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [1] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [{ id: 1, payload: Uint8Array.of(1) }] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [{ id: 'x', payload: 'x' }] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [{ id: '', payload: Uint8Array.of(1) }] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [{ id: 'x', payload: new Uint8Array(0) }] })))).toBe('E_BATCH_FORMAT');
    expect(code(() => decodeBatch(env({ v: 1, items: [{ id: 'x', payload: Uint8Array.of(1) }, { id: 'x', payload: Uint8Array.of(2) }] })))).toBe('E_BATCH_FORMAT');
    // A repeated key inside the map is a MessagePack-level duplicate.
    expect(code(() => decodeBatch(Uint8Array.of(0x82, 0xa1, 0x76, 1, 0xa1, 0x76, 1)))).toBe('E_BATCH_FORMAT');
  });

  it('E_BATCH_LIMIT for too many items or long ids, E_TOO_LARGE for long payloads', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: String(i), payload: Uint8Array.of(1) }));
    expect(code(() => decodeBatch(writeMsgpack({ v: 1, items: many })))).toBe('E_BATCH_LIMIT');
    expect(code(() => encodeBatch(many))).toBe('E_BATCH_LIMIT');
    expect(code(() => encodeBatch(many.slice(0, 1000)))).toBe('ok');
    expect(code(() => decodeBatch(writeMsgpack({ v: 1, items: [{ id: 'x'.repeat(129), payload: Uint8Array.of(1) }] })))).toBe('E_BATCH_LIMIT');
    expect(code(() => encodeBatch([{ id: 'é'.repeat(65), payload: Uint8Array.of(1) }]))).toBe('E_BATCH_LIMIT');
    expect(code(() => decodeBatch(writeMsgpack({ v: 1, items: [{ id: 'x', payload: new Uint8Array(1025) }] })))).toBe('E_TOO_LARGE');
    expect(code(() => encodeBatch([{ id: 'a', payload: new Uint8Array(0) }]))).toBe('E_BATCH_FORMAT');
  });

  it('never throws anything but FacevqError on random and mutated bytes', () => {
    const good = encodeBatch(items.slice(0, 1));
    let x = 1;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
    for (let i = 0; i < 5000; i++) {
      const b = Uint8Array.from(good);
      for (let k = 0; k < 1 + (i % 3); k++) b[rand() % b.length] = rand() & 255;
      code(() => decodeBatch(b.subarray(0, b.length - (i % 4))));
    }
  });
});
