import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkKeyRecord, generateKey, grants, hashKey, KeyHasher, StaticKeyStore } from './keys.js';
import { TokenBuckets } from './rate-limit.js';

describe('keys', () => {
  it('makes distinct keys and hashes them with SHA-256', () => {
    const [a, b] = [generateKey(), generateKey()];
    expect(a).toMatch(/^fvq_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(hashKey(a)).toBe(createHash('sha256').update(a).digest('hex'));
  });

  it('scopes: write includes read', () => {
    expect(grants('write', 'read')).toBe(true);
    expect(grants('read', 'read')).toBe(true);
    expect(grants('read', 'write')).toBe(false);
  });

  it('parses the FACEVQ_KEYS secret and rejects malformed records', () => {
    const hash = hashKey('fvq_x');
    const store = StaticKeyStore.fromJson(JSON.stringify([{ hash, tenant: 't', scope: 'read', galleries: ['a'] }]));
    expect(store.lookup(hash)).toEqual({ hash, tenant: 't', scope: 'read', galleries: ['a'] });
    expect(store.lookup(hashKey('fvq_y'))).toBeNull();
    expect(() => StaticKeyStore.fromJson('{}')).toThrow(TypeError);
    expect(() => checkKeyRecord({ hash: 'nothex', tenant: 't', scope: 'read' })).toThrow(/hash/);
    expect(() => checkKeyRecord({ hash, tenant: '', scope: 'read' })).toThrow(/tenant/);
    expect(() => checkKeyRecord({ hash, tenant: 't', scope: 'admin' })).toThrow(/scope/);
    expect(() => checkKeyRecord({ hash, tenant: 't', scope: 'read', galleries: [1] })).toThrow(/galleries/);
  });
});

describe('KeyHasher', () => {
  it('hashes as hashKey and remembers only the keys it is told, at most max', () => {
    const hasher = new KeyHasher(2);
    const known = hasher as unknown as { known: Map<string, string> };
    expect(hasher.hash('fvq_a')).toBe(hashKey('fvq_a'));
    expect(known.known.size).toBe(0);
    for (const key of ['fvq_a', 'fvq_b', 'fvq_a', 'fvq_c']) hasher.remember(key, hashKey(key));
    expect([...known.known.keys()]).toEqual(['fvq_b', 'fvq_c']);
    expect(hasher.hash('fvq_c')).toBe(hashKey('fvq_c'));
  });
});

describe('TokenBuckets', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 1000;
    const b = new TokenBuckets({ perSecond: 10, burst: 2 }, () => now);
    expect(b.take('k').ok).toBe(true);
    expect(b.take('k').ok).toBe(true);
    expect(b.take('k')).toEqual({ ok: false, retryAfterMs: 100 });
    now += 100;
    expect(b.take('k').ok).toBe(true);
    expect(b.take('other').ok).toBe(true);
  });

  it('bounds the number of buckets', () => {
    const b = new TokenBuckets({ perSecond: 1, burst: 1 }, () => 0, 2);
    b.take('a');
    b.take('b');
    b.take('c'); // evicts 'a', which starts full again
    expect(b.take('a').ok).toBe(true);
  });
});
