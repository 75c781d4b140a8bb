/**
 * API keys. A key is `fvq_` followed by 32 random bytes in base64url; only its SHA-256 (hex) is
 * ever stored. Each key belongs to one tenant, has a scope (`read`: identify, verify, embed,
 * list; `write`: also enroll and delete) and optionally an allow-list of galleries.
 */

import { sha256 } from '../../codec/_sha256.js';

/** What a key may do. `write` includes `read`. */
export type Scope = 'read' | 'write';

/** A stored key: its hash and its grants. */
export interface KeyRecord {
  /** SHA-256 of the key string, lowercase hex. */
  hash: string;
  tenant: string;
  scope: Scope;
  /** When set, the only galleries the key may use. */
  galleries?: readonly string[];
  /** A free-text label for operators. */
  label?: string;
  /** Milliseconds since the epoch from which the key fails; absent: no expiry. */
  expiresAt?: number;
}

/** Looks keys up by hash. */
export interface KeyStore {
  /** The record for a key hash, or null. */
  lookup(hash: string): Promise<KeyRecord | null> | KeyRecord | null;
}

const KEY_PREFIX = 'fvq_';

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new random key string (Web Crypto randomness). */
export function generateKey(): string {
  return KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * SHA-256 of a key string, lowercase hex: what stores keep and look up. Synchronous (the codec's
 * SHA-256): Web Crypto's digest is async, which costs more than hashing 47 bytes.
 */
export function hashKey(key: string): string {
  return Array.from(sha256(new TextEncoder().encode(key)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * {@link hashKey} with a memo of the keys a store knew: the JS SHA-256 costs about as much as the
 * key's SQLite lookup on Node. Only keys whose lookup succeeded are remembered (at most `max`,
 * oldest out first), so unknown keys cannot flood it; and since the memo maps a key to its hash
 * and nothing else, the store still decides on every request whether the key is valid, so a
 * deleted key fails at once. It holds those raw keys in memory, as each request does anyway.
 */
export class KeyHasher {
  private readonly known = new Map<string, string>();

  constructor(private readonly max = 1024) {}

  /** The key's hash. */
  hash(key: string): string {
    return this.known.get(key) ?? hashKey(key);
  }

  /** Remembers a key that a store knew, with its hash. */
  remember(key: string, hash: string): void {
    if (this.known.has(key)) return;
    if (this.known.size >= this.max) this.known.delete(this.known.keys().next().value!);
    this.known.set(key, hash);
  }
}

/** True when `scope` grants `needed`. */
export function grants(scope: Scope, needed: Scope): boolean {
  return scope === 'write' || needed === 'read';
}

/** Checks and normalises one record (from JSON or a database); throws TypeError when malformed. */
export function checkKeyRecord(value: unknown): KeyRecord {
  const v = value as Partial<Record<keyof KeyRecord, unknown>>;
  if (typeof v !== 'object' || v === null) throw new TypeError('key record must be an object');
  if (typeof v.hash !== 'string' || !/^[0-9a-f]{64}$/.test(v.hash)) throw new TypeError('key record: hash must be 64 lowercase hex digits');
  if (typeof v.tenant !== 'string' || v.tenant === '') throw new TypeError('key record: tenant must be a non-empty string');
  if (v.scope !== 'read' && v.scope !== 'write') throw new TypeError('key record: scope must be "read" or "write"');
  const galleries = v.galleries;
  if (galleries !== undefined && galleries !== null && !(Array.isArray(galleries) && galleries.every((g) => typeof g === 'string'))) {
    throw new TypeError('key record: galleries must be an array of names');
  }
  if (v.expiresAt !== undefined && v.expiresAt !== null && !Number.isSafeInteger(v.expiresAt)) throw new TypeError('key record: expiresAt must be milliseconds since 1970');
  return {
    hash: v.hash,
    tenant: v.tenant,
    scope: v.scope,
    ...(Array.isArray(galleries) ? { galleries: galleries as string[] } : {}),
    ...(typeof v.label === 'string' ? { label: v.label } : {}),
    ...(typeof v.expiresAt === 'number' ? { expiresAt: v.expiresAt } : {}),
  };
}

/** Keys held in memory, e.g. parsed from the Worker's `FACEVQ_KEYS` secret. */
export class StaticKeyStore implements KeyStore {
  private readonly byHash: Map<string, KeyRecord>;

  constructor(records: Iterable<KeyRecord>) {
    this.byHash = new Map([...records].map((r) => [r.hash, r]));
  }

  /** Parses a JSON array of key records (the `FACEVQ_KEYS` secret). */
  static fromJson(json: string): StaticKeyStore {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) throw new TypeError('FACEVQ_KEYS must be a JSON array of key records');
    return new StaticKeyStore(parsed.map(checkKeyRecord));
  }

  lookup(hash: string): KeyRecord | null {
    return this.byHash.get(hash) ?? null;
  }

  /** How many keys it holds. */
  get size(): number {
    return this.byHash.size;
  }
}
