import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddingCache } from './embedding-cache.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-cache-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('EmbeddingCache', () => {
  it('persists rows and ignores a half-written last line', () => {
    const a = new EmbeddingCache(dir, 'facevq:m-0123abcd');
    a.put('x/1.jpg', { embedding: Float32Array.from([1.5, -2, 1e-7]), bytes: 31 });
    a.put('x/2.jpg', { embedding: Float32Array.from([0, 0, 1]), bytes: 40 });
    fs.appendFileSync(path.join(dir, 'facevq_m-0123abcd.jsonl'), '{"path":"x/3.jpg","bytes":1,"emb');
    const b = new EmbeddingCache(dir, 'facevq:m-0123abcd');
    expect(b.size).toBe(2);
    expect(b.get('x/1.jpg')).toEqual({ embedding: Float32Array.from([1.5, -2, 1e-7]), bytes: 31 });
    expect(b.get('x/3.jpg')).toBeUndefined();
    expect(new EmbeddingCache(dir, 'other').size).toBe(0);
  });

  it('refuses keys that are not file names', () => {
    expect(() => new EmbeddingCache(dir, '../x')).toThrow(RangeError);
  });
});
