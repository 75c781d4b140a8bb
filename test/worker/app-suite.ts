/**
 * The HTTP behaviour of the service, run against any running instance: `app.request()` over the
 * memory and SQLite stores on Node (`app.test.ts`) and `SELF.fetch` inside workerd over Durable
 * Objects (`test/workers/app.test.ts`). Runtime-free.
 */
import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/codec/index.js';
import { BATCH_MEDIA_TYPE, batchOf, call, KEYS, syntheticPayloads, withHarness, type Fetcher } from './fixtures.js';

/** A service under test: how to reach it and the profiles it holds. */
export interface AppHarness {
  fetch: Fetcher;
  m: Profile;
  s: Profile;
  close?: () => Promise<void>;
}

let unique = 0;
/** A gallery name no other test uses (stores may be shared across tests). */
const fresh = (prefix = 'g'): string => `${prefix}-${Date.now().toString(36)}-${unique++}`;

/** Registers the app suite under `name`. */
export function appSuite(name: string, setup: () => Promise<AppHarness>): void {
  const withApp = withHarness(setup);

  describe(`service: ${name}`, () => {
    it('answers /healthz and the OpenAPI document without a key', withApp(async ({ fetch }) => {
      expect(await call(fetch, 'GET', '/healthz')).toMatchObject({ status: 200, body: { ok: true } });
      const doc = await call(fetch, 'GET', '/v1/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toBe('3.1.0');
      expect(Object.keys(doc.body.paths)).toContain('/v1/galleries/{gallery}/identify');
    }));

    it('refuses requests without a valid key', withApp(async ({ fetch }) => {
      const none = await call(fetch, 'GET', '/v1/profiles');
      expect(none).toMatchObject({ status: 401, body: { error: { code: 'E_UNAUTHORIZED' } } });
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await call(fetch, 'GET', '/v1/profiles', { key: 'fvq_nope' })).toMatchObject({ status: 401, body: { error: { code: 'E_UNAUTHORIZED' } } });
    }));

    it('lists the profiles', withApp(async ({ fetch, m, s }) => {
      const r = await call(fetch, 'GET', '/v1/profiles', { key: KEYS.aRead });
      expect(r.status).toBe(200);
      expect(r.body.profiles.map((p: { name: string }) => p.name).sort()).toEqual([m.name, s.name].sort());
      expect(r.body.profiles[0]).toMatchObject({ embeddingDim: 128, thresholds: { far1e3: expect.any(Number) }, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }));

    it('embeds one payload and a batch', withApp(async ({ fetch, m }) => {
      const src = syntheticPayloads(m, 2);
      const one = await call(fetch, 'POST', '/v1/embed', { key: KEYS.aRead, body: src.capture('person-0', 0) });
      expect(one).toMatchObject({ status: 200, body: { profile: m.name, dim: 128, mode: expect.any(Number) } });
      const norm = Math.hypot(...(one.body.embedding as number[]));
      expect(norm).toBeCloseTo(1, 5);
      const batch = await call(fetch, 'POST', '/v1/embed', {
        key: KEYS.aRead, type: BATCH_MEDIA_TYPE, body: batchOf([src.capture('person-1', 0), new Uint8Array([0x10, 0, 0])]),
      });
      expect(batch.status).toBe(200);
      expect(batch.body.items[0]).toMatchObject({ id: 'item-0', dim: 128 });
      expect(batch.body.items[1]).toMatchObject({ id: 'item-1', error: { code: expect.stringMatching(/^E_/) } });
    }));

    it('enrolls, identifies and verifies', withApp(async ({ fetch, m }) => {
      const g = fresh();
      const src = syntheticPayloads(m, 12);
      for (const p of src.people) {
        const r = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/${p}/enroll`, { key: KEYS.aWrite, body: src.capture(p, 0) });
        expect(r).toMatchObject({ status: 201, body: { subject: { id: p, embeddings: 1 }, profile: m.name, added: 1, rejected: [] } });
      }
      const more = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/person-3/enroll`, {
        key: KEYS.aWrite, type: BATCH_MEDIA_TYPE, body: batchOf([src.capture('person-3', 1), src.capture('person-3', 2)]),
      });
      expect(more).toMatchObject({ status: 200, body: { subject: { embeddings: 3 }, added: 2 } });
      expect(await call(fetch, 'GET', `/v1/galleries/${g}`, { key: KEYS.aRead })).toMatchObject({ status: 200, body: { subjects: 12, profile: { name: m.name } } });

      for (const p of src.people) {
        for (const precision of ['f32', 'i8']) {
          const r = await call(fetch, 'POST', `/v1/galleries/${g}/identify?k=3&precision=${precision}`, { key: KEYS.aRead, body: src.capture(p, 5) });
          expect(r.status).toBe(200);
          expect(r.body.candidates).toHaveLength(3);
          expect(r.body.candidates[0].subject).toBe(p);
          expect(r.body).toMatchObject({ far: 0.001, threshold: m.thresholds.far1e3, profile: m.name });
        }
      }
      const strict = await call(fetch, 'POST', `/v1/galleries/${g}/identify?threshold=1`, { key: KEYS.aRead, body: src.capture('person-1', 5) });
      expect(strict.body).toMatchObject({ threshold: 1, far: null, match: null });
      const exact = await call(fetch, 'POST', `/v1/galleries/${g}/identify?far=1e-2`, { key: KEYS.aRead, body: src.capture('person-1', 0) });
      expect(exact.body).toMatchObject({ far: 0.01, threshold: m.thresholds.far1e2, match: { subject: 'person-1', score: expect.closeTo(1, 4) } });

      const yes = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/person-2/verify?threshold=0.9999`, { key: KEYS.aRead, body: src.capture('person-2', 0) });
      expect(yes).toMatchObject({ status: 200, body: { subject: 'person-2', match: true, score: expect.closeTo(1, 4) } });
      const no = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/person-2/verify?threshold=0.9999`, { key: KEYS.aRead, body: src.capture('person-4', 0) });
      expect(no.body.match).toBe(false);
      const farV = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/person-2/verify?far=0.0001`, { key: KEYS.aRead, body: src.capture('person-2', 0) });
      expect(farV.body).toMatchObject({ far: 0.0001, threshold: m.thresholds.far1e4, match: true });
    }));

    it('rejects bad query options and mixed profiles', withApp(async ({ fetch, m, s }) => {
      const g = fresh();
      const pm = syntheticPayloads(m, 1).capture('person-0', 0);
      const ps = syntheticPayloads(s, 1).capture('person-0', 0);
      await call(fetch, 'POST', `/v1/galleries/${g}/subjects/a/enroll`, { key: KEYS.aWrite, body: pm });
      for (const q of ['k=0', 'k=101', 'k=x', 'k=0x10', 'k=1e1', 'k=%207', 'k=05', 'threshold=0x1', 'threshold=1e-1', 'far=0.5', 'threshold=2', 'far=1e-2&threshold=0.5', 'precision=f16']) {
        expect(await call(fetch, 'POST', `/v1/galleries/${g}/identify?${q}`, { key: KEYS.aRead, body: pm }), q).toMatchObject({ status: 400, body: { error: { code: 'E_BAD_REQUEST' } } });
      }
      expect(await call(fetch, 'POST', `/v1/galleries/${g}/identify`, { key: KEYS.aRead, body: ps })).toMatchObject({ status: 409, body: { error: { code: 'E_PROFILE_MISMATCH' } } });
      expect(await call(fetch, 'POST', `/v1/galleries/${g}/subjects/b/enroll`, { key: KEYS.aWrite, body: ps })).toMatchObject({ status: 409, body: { error: { code: 'E_PROFILE_MISMATCH' } } });
      const mixed = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/c/enroll`, { key: KEYS.aWrite, type: BATCH_MEDIA_TYPE, body: batchOf([pm, ps]) });
      expect(mixed).toMatchObject({ status: 201, body: { added: 1, rejected: [{ id: 'item-1', code: 'E_PROFILE_MISMATCH' }] } });
      expect(await call(fetch, 'POST', `/v1/galleries/bad%2Fname/identify`, { key: KEYS.aRead, body: pm })).toMatchObject({ status: 400 });
      expect(await call(fetch, 'POST', `/v1/galleries/${g}/subjects/${'x'.repeat(200)}/enroll`, { key: KEYS.aWrite, body: pm })).toMatchObject({ status: 400 });
      for (const [method, path] of [['GET', '/v1/galleries/bad%2Fname'], ['DELETE', '/v1/galleries/bad%2Fname'], ['GET', '/v1/galleries/bad%2Fname/subjects'], ['DELETE', `/v1/galleries/${g}/subjects/${'x'.repeat(200)}`]] as const) {
        expect(await call(fetch, method, path, { key: KEYS.aWrite }), `${method} ${path}`).toMatchObject({ status: 400, body: { error: { code: 'E_BAD_REQUEST' } } });
      }
    }));

    it('answers malformed bodies with their codes, never a 500', withApp(async ({ fetch, m }) => {
      const g = fresh();
      const good = syntheticPayloads(m, 1).capture('person-0', 0);
      await call(fetch, 'POST', `/v1/galleries/${g}/subjects/a/enroll`, { key: KEYS.aWrite, body: good });
      const expectCode = async (body: Uint8Array, code: string, status: number, type?: string) => {
        const r = await call(fetch, 'POST', `/v1/galleries/${g}/identify`, { key: KEYS.aRead, body, ...(type && { type }) });
        expect(r, code).toMatchObject({ status, body: { error: { code } } });
      };
      await expectCode(new Uint8Array(0), 'E_EMPTY', 422);
      await expectCode(new Uint8Array([0x10, 0x10]), 'E_TRUNCATED', 422);
      await expectCode(new Uint8Array([0x20, 0x10, 0]), 'E_VERSION', 422);
      await expectCode(new Uint8Array(2000), 'E_TOO_LARGE', 413);
      await expectCode(new Uint8Array(10_000), 'E_BODY_TOO_LARGE', 413);
      await expectCode(good, 'E_UNSUPPORTED_MEDIA_TYPE', 415, 'text/plain');
      await expectCode(good, 'E_UNSUPPORTED_MEDIA_TYPE', 415, BATCH_MEDIA_TYPE);
      const flipped = good.slice();
      flipped[2]! ^= 0xff;
      await expectCode(flipped, 'E_CHECK', 422);
      // Every truncation and many single-bit flips: always a 4xx with an E_ code.
      const bodies = [...Array.from({ length: good.length }, (_, n) => good.slice(0, n)),
        ...Array.from({ length: good.length * 8 }, (_, bit) => { const b = good.slice(); b[bit >> 3]! ^= 0x80 >> (bit & 7); return b; })];
      for (const body of bodies.filter((_, i) => i % 3 === 0)) {
        const r = await call(fetch, 'POST', `/v1/galleries/${g}/identify`, { key: KEYS.aRead, body });
        expect(r.status === 200 || (r.status >= 400 && r.status < 500 && /^E_/.test(r.body.error.code)), `${r.status}`).toBe(true);
      }
      const batchFail = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/b/enroll`, { key: KEYS.aWrite, type: BATCH_MEDIA_TYPE, body: new Uint8Array([1, 2, 3]) });
      expect(batchFail).toMatchObject({ status: 400, body: { error: { code: 'E_BATCH_FORMAT' } } });
      const allBad = await call(fetch, 'POST', `/v1/galleries/${g}/subjects/b/enroll`, { key: KEYS.aWrite, type: BATCH_MEDIA_TYPE, body: batchOf([flipped, flipped.slice(0, 2)]) });
      expect(allBad).toMatchObject({ status: 422, body: { error: { code: 'E_CHECK' } } });
    }));

    it('tells a client what went wrong: a photo for a payload, a long name, a wrong method', withApp(async ({ fetch }) => {
      const jpeg = new Uint8Array(10_000);
      jpeg.set([0xff, 0xd8, 0xff, 0xe0]);
      const photo = await call(fetch, 'POST', `/v1/galleries/${fresh()}/identify`, { key: KEYS.aRead, body: jpeg });
      expect(photo).toMatchObject({ status: 413, body: { error: { code: 'E_BODY_TOO_LARGE' } } });
      expect(photo.body.error.message).toContain('JPEG image: post the face\'s payload (.fvq');
      const zeros = await call(fetch, 'POST', `/v1/galleries/${fresh()}/identify`, { key: KEYS.aRead, body: new Uint8Array(10_000) });
      expect(zeros.body.error.message).not.toContain('image');

      const long = 'a'.repeat(5000);
      const r = await call(fetch, 'GET', `/v1/galleries/${long}`, { key: KEYS.aRead });
      expect(r).toMatchObject({ status: 400, body: { error: { code: 'E_BAD_REQUEST' } } });
      expect(r.body.error.message.length).toBeLessThan(300);
      expect(r.body.error.message).toContain('(5000 characters)');

      const get = await call(fetch, 'GET', `/v1/galleries/${fresh()}/identify`, { key: KEYS.aRead });
      expect(get).toMatchObject({ status: 405, body: { error: { code: 'E_METHOD_NOT_ALLOWED' } } });
      expect(get.headers.get('allow')).toBe('POST');
      expect((await call(fetch, 'PUT', '/v1/galleries/x', { key: KEYS.aRead })).headers.get('allow')).toBe('DELETE, GET, HEAD');
      expect(await call(fetch, 'GET', '/v1/nothing-here', { key: KEYS.aRead })).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
    }));

    it('pages subjects with a cursor', withApp(async ({ fetch, m }) => {
      const g = fresh();
      const src = syntheticPayloads(m, 7);
      for (const p of src.people) await call(fetch, 'POST', `/v1/galleries/${g}/subjects/${p}/enroll`, { key: KEYS.aWrite, body: src.capture(p, 0) });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const r: { status: number; body: { subjects: { id: string }[]; nextCursor: string | null } } =
          await call(fetch, 'GET', `/v1/galleries/${g}/subjects?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key: KEYS.aRead });
        expect(r.status).toBe(200);
        seen.push(...r.body.subjects.map((x) => x.id));
        cursor = r.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...src.people].sort());
      expect(await call(fetch, 'GET', `/v1/galleries/${g}/subjects?cursor=***`, { key: KEYS.aRead })).toMatchObject({ status: 400 });
      for (const limit of ['0', '1e2', '0x10', '2.0']) {
        expect(await call(fetch, 'GET', `/v1/galleries/${g}/subjects?limit=${limit}`, { key: KEYS.aRead }), limit).toMatchObject({ status: 400, body: { error: { code: 'E_BAD_REQUEST' } } });
      }
    }));

    it('erases subjects and galleries', withApp(async ({ fetch, m }) => {
      const g = fresh();
      const src = syntheticPayloads(m, 3);
      for (const p of src.people) await call(fetch, 'POST', `/v1/galleries/${g}/subjects/${p}/enroll`, { key: KEYS.aWrite, body: src.capture(p, 0) });
      expect((await call(fetch, 'DELETE', `/v1/galleries/${g}/subjects/person-1`, { key: KEYS.aWrite })).status).toBe(204);
      expect(await call(fetch, 'DELETE', `/v1/galleries/${g}/subjects/person-1`, { key: KEYS.aWrite })).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
      const r = await call(fetch, 'POST', `/v1/galleries/${g}/identify?k=5`, { key: KEYS.aRead, body: src.capture('person-1', 0) });
      expect(r.body.candidates.map((c: { subject: string }) => c.subject).sort()).toEqual(['person-0', 'person-2']);
      expect((await call(fetch, 'DELETE', `/v1/galleries/${g}`, { key: KEYS.aWrite })).status).toBe(204);
      expect(await call(fetch, 'GET', `/v1/galleries/${g}`, { key: KEYS.aRead })).toMatchObject({ status: 404 });
      expect(await call(fetch, 'POST', `/v1/galleries/${g}/identify`, { key: KEYS.aRead, body: src.capture('person-1', 0) })).toMatchObject({ status: 404 });
    }));

    it('enforces scopes and gallery allow-lists', withApp(async ({ fetch, m }) => {
      const p = syntheticPayloads(m, 1).capture('person-0', 0);
      const [g1, g2] = ['g1', fresh()];
      expect(await call(fetch, 'POST', `/v1/galleries/${g2}/subjects/a/enroll`, { key: KEYS.aRead, body: p })).toMatchObject({ status: 403, body: { error: { code: 'E_FORBIDDEN' } } });
      expect(await call(fetch, 'DELETE', `/v1/galleries/${g2}`, { key: KEYS.aRead })).toMatchObject({ status: 403 });
      expect(await call(fetch, 'POST', `/v1/galleries/${g2}/subjects/a/enroll`, { key: KEYS.aLimited, body: p })).toMatchObject({ status: 403 });
      expect([200, 201]).toContain((await call(fetch, 'POST', `/v1/galleries/${g1}/subjects/a/enroll`, { key: KEYS.aLimited, body: p })).status);
      expect((await call(fetch, 'POST', `/v1/galleries/${g1}/identify`, { key: KEYS.aLimited, body: p })).status).toBe(200);
      expect((await call(fetch, 'DELETE', `/v1/galleries/${g1}`, { key: KEYS.aLimited })).status).toBe(204);
    }));

    it('keeps tenants apart on every route', withApp(async ({ fetch, m }) => {
      const src = syntheticPayloads(m, 2);
      const a = fresh('shared');
      const aliceA = src.capture('person-0', 0);
      const bobB = src.capture('person-1', 0);
      await call(fetch, 'POST', `/v1/galleries/${a}/subjects/alice/enroll`, { key: KEYS.aWrite, body: aliceA });
      const base = `/v1/galleries/${a}`;
      // Tenant B cannot see or touch tenant A's gallery of the same name, on any route.
      const attempts: [string, string, Uint8Array?][] = [
        ['GET', base],
        ['GET', `${base}/subjects`],
        ['POST', `${base}/identify`, aliceA],
        ['POST', `${base}/subjects/alice/verify`, aliceA],
        ['DELETE', `${base}/subjects/alice`],
        ['DELETE', base],
      ];
      for (const [method, path, body] of attempts) {
        const r = await call(fetch, method, path, { key: KEYS.bWrite, ...(body && { body }) });
        expect(r, `${method} ${path}`).toMatchObject({ status: 404, body: { error: { code: 'E_NOT_FOUND' } } });
      }
      // Enrolling under the same name creates B's own gallery; A's is unchanged.
      const enrollB = await call(fetch, 'POST', `${base}/subjects/bob/enroll`, { key: KEYS.bWrite, body: bobB });
      expect(enrollB).toMatchObject({ status: 201, body: { subject: { id: 'bob' } } });
      const listA = await call(fetch, 'GET', `${base}/subjects`, { key: KEYS.aRead });
      expect(listA.body.subjects.map((x: { id: string }) => x.id)).toEqual(['alice']);
      const listB = await call(fetch, 'GET', `${base}/subjects`, { key: KEYS.bWrite });
      expect(listB.body.subjects.map((x: { id: string }) => x.id)).toEqual(['bob']);
      const idB = await call(fetch, 'POST', `${base}/identify?k=10`, { key: KEYS.bWrite, body: aliceA });
      expect(idB.body.candidates.map((c: { subject: string }) => c.subject)).toEqual(['bob']);
      expect(await call(fetch, 'POST', `${base}/subjects/alice/verify`, { key: KEYS.bWrite, body: aliceA })).toMatchObject({ status: 404 });
      expect((await call(fetch, 'DELETE', base, { key: KEYS.bWrite })).status).toBe(204);
      expect(await call(fetch, 'GET', base, { key: KEYS.aRead })).toMatchObject({ status: 200, body: { tenant: 'tenant-a', subjects: 1 } });
      const idA = await call(fetch, 'POST', `${base}/identify`, { key: KEYS.aRead, body: aliceA });
      expect(idA.body.candidates[0].subject).toBe('alice');
      // Tenant-free routes reveal nothing of other tenants either.
      expect((await call(fetch, 'GET', '/v1/profiles', { key: KEYS.bWrite })).status).toBe(200);
      expect((await call(fetch, 'POST', '/v1/embed', { key: KEYS.bWrite, body: aliceA })).status).toBe(200);
    }));
  });
}
