/**
 * Shared fixtures for the service tests on both runtimes: synthetic profiles, payloads of
 * synthetic identities, API keys for two tenants and a request helper. Runtime-free.
 *
 * Real faces: `PayloadSource` is the seam for the SDK-from-images variant; `syntheticPayloads`
 * implements it from seeded grids (an identity is a grid; a capture of it changes a few indices).
 */
import { BATCH_MEDIA_TYPE, encodeBatch, encodeGrid, MEDIA_TYPE, type Profile } from '../../src/codec/index.js';
import { makeRng, makeTestProfile } from '../../src/codec/_testing.js';
import { hashKey, StaticKeyStore, type KeyRecord } from '../../src/worker/auth/keys.js';
import { ProfileRegistry } from '../../src/worker/profiles.js';

/** Two synthetic profiles with 128-D heads, ids 1 and 2. */
export function testProfiles(): { m: Profile; s: Profile; files: Uint8Array[]; registry: ProfileRegistry } {
  const m = makeTestProfile({ id: 1, name: 'tm', h: 8, w: 8, k: 64, dim: 4, headDim: 128, seed: 11 });
  const s = makeTestProfile({ id: 2, name: 'ts', h: 4, w: 4, k: 32, dim: 4, headDim: 128, seed: 22 });
  return { m: m.profile, s: s.profile, files: [m.bytes, s.bytes], registry: new ProfileRegistry([m.profile, s.profile]) };
}

/** Payloads of people: `capture(person, n)` is the n-th capture of a person (n = 0: the reference). */
export interface PayloadSource {
  /** Names of the people available. */
  people: readonly string[];
  capture(person: string, n: number): Uint8Array;
}

/**
 * Synthetic people under `profile`: each person is a seeded random grid, and capture n > 0 changes
 * `changes` random indices of it. The lead's SDK variant implements {@link PayloadSource} from
 * real face images (e.g. LFW people with several photos).
 */
export function syntheticPayloads(profile: Profile, count: number, changes = 2, seed = 5): PayloadSource {
  const people = Array.from({ length: count }, (_, i) => `person-${i}`);
  const k = profile.planes.map((p) => p.k);
  const grids = people.map((_, i) => {
    const rng = makeRng(seed * 7919 + i);
    return Uint16Array.from({ length: profile.gridLength }, (_, n) => rng.int(k[n % k.length]!));
  });
  return {
    people,
    capture(person, n) {
      const grid = grids[people.indexOf(person)]!.slice();
      const rng = makeRng(seed * 104729 + people.indexOf(person) * 31 + n);
      for (let c = 0; n > 0 && c < changes; c++) {
        const at = rng.int(grid.length);
        grid[at] = rng.int(k[at % k.length]!);
      }
      return encodeGrid(grid, profile);
    },
  };
}

/** A batch body of payloads. */
export function batchOf(payloads: Uint8Array[]): Uint8Array {
  return encodeBatch(payloads.map((payload, i) => ({ id: `item-${i}`, payload })));
}

/** The test keys: tenant A (write, read-only, limited to g1) and tenant B (write). */
export const KEYS = {
  aWrite: 'fvq_test_a_write',
  aRead: 'fvq_test_a_read',
  aLimited: 'fvq_test_a_limited',
  bWrite: 'fvq_test_b_write',
} as const;

/** Key records for {@link KEYS}. */
export async function testKeyRecords(): Promise<KeyRecord[]> {
  return [
    { hash: hashKey(KEYS.aWrite), tenant: 'tenant-a', scope: 'write' },
    { hash: hashKey(KEYS.aRead), tenant: 'tenant-a', scope: 'read' },
    { hash: hashKey(KEYS.aLimited), tenant: 'tenant-a', scope: 'write', galleries: ['g1'] },
    { hash: hashKey(KEYS.bWrite), tenant: 'tenant-b', scope: 'write' },
  ];
}

/** A key store with {@link KEYS}. */
export async function testKeyStore(): Promise<StaticKeyStore> {
  return new StaticKeyStore(await testKeyRecords());
}

/**
 * Device keys of tenant A for the Worker's `FACEVQ_DEVICES` (on Node the registry issues its own):
 * `live`, `revocable` (a test revokes it), `elsewhere` (allowed only on gallery `elsewhere`).
 */
export const DEVICE_RECORDS = {
  live: { tenant: 'tenant-a', keyId: '01', secret: '11'.repeat(32) },
  revocable: { tenant: 'tenant-a', keyId: '02', secret: '22'.repeat(32) },
  elsewhere: { tenant: 'tenant-a', keyId: '03', secret: '33'.repeat(32), galleries: ['elsewhere'] },
} as const;

/** The galleries that require signed payloads in the tests (`FACEVQ_SIGNED`). */
export const SIGNED_RULES = ['tenant-a/door'] as const;

/**
 * Wraps a test body so it runs on a fresh harness from `setup`, closed afterwards (the suites
 * shared by the runtimes: app, store, signed payloads).
 */
export function withHarness<H extends { close?: () => Promise<void> }>(setup: () => Promise<H>) {
  return (fn: (h: H) => Promise<void>) => async () => {
    const h = await setup();
    try {
      await fn(h);
    } finally {
      await h.close?.();
    }
  };
}

/** Anything that answers requests: `app.request`, `SELF.fetch`, or `fetch` against a server. */
export type Fetcher = (path: string, init: RequestInit) => Promise<Response>;

/** Options of {@link call}. */
export interface CallOptions {
  key?: string;
  body?: Uint8Array;
  /** Content-Type; defaults to the single-payload type when there is a body. */
  type?: string;
}

/** Sends a request and returns status and parsed JSON (null for an empty body). */
export async function call(fetcher: Fetcher, method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body) headers['content-type'] = opts.type ?? MEDIA_TYPE;
  const res = await fetcher(path, { method, headers, ...(opts.body && { body: opts.body as Uint8Array<ArrayBuffer> }) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export { BATCH_MEDIA_TYPE, MEDIA_TYPE };
