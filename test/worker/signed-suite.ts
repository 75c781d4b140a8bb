/**
 * Signed payloads (spec §13) against a running service: the replay, time-window, tag and
 * revocation checks of `src/worker/auth/signed.ts`, and a restart between a payload and its
 * replay. Run over SQLite on Node (`signed.test.ts`) and inside workerd over Durable Objects
 * (`test/workers/signed.test.ts`). Tenant A's gallery `door` requires signatures; others do not.
 */
import { describe, expect, it } from 'vitest';
import { decodeGrid, encodeGrid, signGrid, type Profile } from '../../src/codec/index.js';
import { call, KEYS, syntheticPayloads, withHarness, type Fetcher } from './fixtures.js';

/** A device key as a test holds it. */
export interface TestDevice {
  keyId: Uint8Array;
  key: Uint8Array;
}

/** A service with device keys, and the operations the suite needs on it. */
export interface SignedHarness {
  fetch: Fetcher;
  m: Profile;
  devices: { live: TestDevice; revocable: TestDevice; elsewhere: TestDevice };
  /** Revokes `revocable` (Node: `devices revoke`; Workers: its record leaves `FACEVQ_DEVICES`). */
  revoke(): Promise<void>;
  /** Restarts the service over the same storage. */
  restart(): Promise<void>;
  close?: () => Promise<void>;
}

let unique = 0;

/** Registers the suite under `name`. */
export function signedSuite(name: string, setup: () => Promise<SignedHarness>): void {
  const withService = withHarness(setup);
  const now = () => Math.floor(Date.now() / 1000);

  describe(`signed payloads: ${name}`, () => {
    it('refuses replays, stale and future captures, forged and revoked tags; a restart keeps the replay cache', withService(async (h) => {
      const { fetch, m, devices } = h;
      const src = syntheticPayloads(m, 4, 2, 100 + unique++);
      const grid = (person: string, n: number) => decodeGrid(src.capture(person, n), m).grid;
      const identify = (body: Uint8Array, gallery = 'door') => call(fetch, 'POST', `/v1/galleries/${gallery}/identify`, { key: KEYS.aRead, body });
      const verify = (body: Uint8Array) => call(fetch, 'POST', '/v1/galleries/door/subjects/person-0/verify', { key: KEYS.aRead, body });
      const code = (r: { status: number; body: { error?: { code: string } } }) => `${r.status} ${r.body.error?.code ?? ''}`.trim();
      for (const p of src.people) {
        expect((await call(fetch, 'POST', `/v1/galleries/door/subjects/${p}/enroll`, { key: KEYS.aWrite, body: src.capture(p, 0) })).status).toBeLessThan(300);
      }

      // Unsigned: refused where required, accepted elsewhere.
      expect(code(await identify(src.capture('person-0', 1)))).toBe('401 E_UNSIGNED');
      await call(fetch, 'POST', '/v1/galleries/lobby/subjects/person-0/enroll', { key: KEYS.aWrite, body: src.capture('person-0', 0) });
      expect(code(await identify(src.capture('person-0', 1), 'lobby'))).toBe('200');

      // Signed: once, then a replay, on the same route and on another.
      const signed = await signGrid(grid('person-1', 1), m, { ...devices.live, time: now() });
      const first = await identify(signed);
      expect(code(first)).toBe('200');
      expect(first.body.candidates[0].subject).toBe('person-1');
      expect(code(await identify(signed))).toBe('409 E_REPLAY');
      expect(code(await verify(signed))).toBe('409 E_REPLAY');
      // A nonce makes the same capture a new payload; the same nonce again is a replay.
      const withNonce = (nonce: number) => signGrid(grid('person-1', 1), m, { ...devices.live, time: now(), nonce: Uint8Array.of(nonce) });
      expect(code(await verify(await withNonce(1)))).toBe('200');
      expect(code(await verify(await withNonce(1)))).toBe('409 E_REPLAY');

      // Outside the ±120 s window, either side.
      expect(code(await identify(await signGrid(grid('person-2', 1), m, { ...devices.live, time: now() - 200 })))).toBe('401 E_STALE');
      expect(code(await identify(await signGrid(grid('person-2', 1), m, { ...devices.live, time: now() + 200 })))).toBe('401 E_STALE');

      // Forged: a stale payload with its time moved forward (check byte recomputed), a flipped bit.
      const stale = await signGrid(grid('person-2', 2), m, { ...devices.live, time: now() - 600 });
      const d = decodeGrid(stale, m);
      const moved = encodeGrid(d.grid, m, { mode: d.mode, extensions: { ...d.extensions, captureTime: now() }, maxBytes: 1024 });
      expect(code(await identify(moved))).toBe('401 E_AUTH_TAG');
      const flipped = (await signGrid(grid('person-2', 3), m, { ...devices.live, time: now() })).slice();
      flipped[flipped.length - 1]! ^= 0x01;
      expect(code(await identify(flipped))).toMatch(/^(401 E_AUTH_TAG|422 E_\w+)$/);
      const shortTag = await signGrid(grid('person-2', 4), m, { ...devices.live, time: now(), tagLength: 4 });
      expect(code(await identify(shortTag))).toBe('401 E_AUTH_TAG');
      const unknown = await signGrid(grid('person-2', 5), m, { keyId: Uint8Array.of(0x7f), key: devices.live.key, time: now() });
      expect(code(await identify(unknown))).toBe('401 E_AUTH_TAG');
      const wrongGallery = await signGrid(grid('person-2', 6), m, { ...devices.elsewhere, time: now() });
      expect(code(await identify(wrongGallery))).toBe('401 E_AUTH_TAG');
      // Another tenant's key cannot use tenant A's device key.
      const otherTenant = await call(fetch, 'POST', '/v1/galleries/door/identify', { key: KEYS.bWrite, body: await signGrid(grid('person-2', 7), m, { ...devices.live, time: now() }) });
      expect(code(otherTenant)).toMatch(/^(401 E_AUTH_TAG|404 E_NOT_FOUND)$/);

      // Revocation takes effect on the next payload.
      expect(code(await identify(await signGrid(grid('person-3', 1), m, { ...devices.revocable, time: now() })))).toBe('200');
      await h.revoke();
      expect(code(await identify(await signGrid(grid('person-3', 2), m, { ...devices.revocable, time: now() })))).toBe('401 E_AUTH_TAG');

      // A restart between a payload and its replay.
      const beforeRestart = await signGrid(grid('person-0', 3), m, { ...devices.live, time: now() });
      expect(code(await identify(beforeRestart))).toBe('200');
      await h.restart();
      expect(code(await identify(beforeRestart))).toBe('409 E_REPLAY');
      expect(code(await identify(await signGrid(grid('person-0', 4), m, { ...devices.live, time: now() })))).toBe('200');
    }));
  });
}
