/**
 * The one behavioural suite every {@link GalleryStore} must pass: memory and SQLite on Node
 * (`stores.test.ts`), the Durable Object store inside workerd (`test/workers/store.test.ts`).
 * Uses only vitest and runtime-free code, so it loads in both runtimes.
 */
import { describe, expect, it } from 'vitest';
import { randomUnitVectors } from '../../src/worker/match/synthetic.js';
import type { GalleryRef } from '../../src/worker/names.js';
import { templateOf } from '../../src/worker/store/indexed.js';
import type { GalleryStore, ProfileBinding } from '../../src/worker/store/types.js';
import { withHarness } from './fixtures.js';

/** A store under test, and how to get it back after a restart where the store is durable. */
export interface StoreHarness {
  store: GalleryStore;
  /** Closes and reopens the store over the same storage (durable stores only). */
  reopen?: () => Promise<GalleryStore>;
  /** Releases the store. */
  close?: () => Promise<void>;
  /**
   * Every byte the store keeps for the tenant's data, for erasure checks (the raw database file and
   * its WAL on Node; the SQL tables' contents inside a Durable Object).
   */
  rawBytes?: () => Promise<Uint8Array>;
}

const DIM = 128;
const P1: ProfileBinding = { sha256: 'aa'.repeat(32), name: 'm' };
const P2: ProfileBinding = { sha256: 'bb'.repeat(32), name: 's' };

let seed = 1000;
/** `n` fresh random unit vectors, each its own Float32Array. */
function vectors(n: number, dim = DIM): Float32Array[] {
  const flat = randomUnitVectors(n, dim, seed++);
  return Array.from({ length: n }, (_, i) => flat.slice(i * dim, (i + 1) * dim));
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** True when `needle` occurs in `hay`. */
export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Registers the shared store suite under `name`. */
export function storeSuite(name: string, make: () => Promise<StoreHarness>): void {
  const withStore = withHarness(make);
  const ref = (gallery: string, tenant = 't1'): GalleryRef => ({ tenant, gallery });

  describe(`GalleryStore: ${name}`, () => {
    it('claims a nonce once until it expires, per gallery, also across a restart', withStore(async (h) => {
      const later = Date.now() + 60_000;
      expect(await h.store.claimNonce(ref('n'), '01/aa', later)).toBe(true);
      expect(await h.store.claimNonce(ref('n'), '01/aa', later)).toBe(false);
      expect(await h.store.claimNonce(ref('other'), '01/aa', later)).toBe(true);
      expect(await h.store.claimNonce(ref('n', 't2'), '01/aa', later)).toBe(true);
      // An expired nonce is forgotten, so the same bytes claim again.
      expect(await h.store.claimNonce(ref('n'), '01/bb', Date.now() - 1)).toBe(true);
      expect(await h.store.claimNonce(ref('n'), '01/bb', later)).toBe(true);
      if (h.reopen) {
        const again = await h.reopen();
        expect(await again.claimNonce(ref('n'), '01/aa', later)).toBe(false);
        expect(await again.claimNonce(ref('n'), '01/cc', later)).toBe(true);
      }
    }));

    it('creates a gallery on first enrollment, bound to its profile', withStore(async ({ store }) => {
      const [e] = vectors(1);
      const r = await store.enroll(ref('g'), 'alice', P1, [e!]);
      expect(r).toMatchObject({ created: true, galleryCreated: true, subject: { id: 'alice', embeddings: 1 } });
      expect(await store.info(ref('g'))).toMatchObject({ tenant: 't1', gallery: 'g', profile: P1, dim: DIM, subjects: 1 });
      await expect(store.enroll(ref('g'), 'bob', P2, vectors(1))).rejects.toMatchObject({ code: 'E_PROFILE_MISMATCH' });
      await expect(store.enroll(ref('g'), 'bob', P1, vectors(1, 64))).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
      await expect(store.info(ref('nope'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    }));

    it('keeps every embedding and uses their normalised mean as the template', withStore(async ({ store }) => {
      const es = vectors(3);
      await store.enroll(ref('g'), 'alice', P1, [es[0]!]);
      const r = await store.enroll(ref('g'), 'alice', P1, [es[1]!, es[2]!]);
      expect(r).toMatchObject({ created: false, galleryCreated: false, subject: { embeddings: 3 } });
      const q = vectors(1)[0]!;
      const expected = dot(templateOf(es, DIM), q);
      expect(await store.verify(ref('g'), 'alice', P1, q)).toBeCloseTo(expected, 5);
    }));

    it('identifies the top-k in order, in f32 and int8', withStore(async ({ store }) => {
      const es = vectors(50);
      for (let i = 0; i < 50; i++) await store.enroll(ref('g'), `s${String(i).padStart(2, '0')}`, P1, [es[i]!]);
      for (const precision of ['f32', 'i8'] as const) {
        const hits = await store.identify(ref('g'), P1, es[17]!, { k: 5, precision });
        expect(hits).toHaveLength(5);
        expect(hits[0]).toEqual({ id: 's17', score: expect.closeTo(1, 5) });
        for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
      }
      await expect(store.identify(ref('g'), P2, es[0]!, { k: 1 })).rejects.toMatchObject({ code: 'E_PROFILE_MISMATCH' });
      await expect(store.identify(ref('none'), P1, es[0]!, { k: 1 })).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    }));

    it('verifies one subject', withStore(async ({ store }) => {
      const [a, b] = vectors(2);
      await store.enroll(ref('g'), 'alice', P1, [a!]);
      expect(await store.verify(ref('g'), 'alice', P1, a!)).toBeCloseTo(1, 5);
      expect(await store.verify(ref('g'), 'alice', P1, b!)).toBeCloseTo(dot(a!, b!), 5);
      await expect(store.verify(ref('g'), 'bob', P1, a!)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
      await expect(store.verify(ref('h'), 'alice', P1, a!)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    }));

    it('pages subjects in id order', withStore(async ({ store }) => {
      const ids = Array.from({ length: 25 }, (_, i) => `id-${String(i).padStart(2, '0')}`);
      for (const id of [...ids].reverse()) await store.enroll(ref('g'), id, P1, vectors(1));
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page = await store.listSubjects(ref('g'), after, 10);
        seen.push(...page.subjects.map((s) => s.id));
        for (const s of page.subjects) expect(s).toMatchObject({ embeddings: 1, createdAt: expect.any(Number) });
        after = page.nextAfter;
        pages++;
      } while (after !== null);
      expect(seen).toEqual(ids);
      expect(pages).toBe(3);
      await expect(store.listSubjects(ref('x'), null, 10)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    }));

    it('erases a subject', withStore(async ({ store, rawBytes }) => {
      const [a, b] = vectors(2);
      await store.enroll(ref('g'), 'erase-me-7f3a', P1, [a!]);
      await store.enroll(ref('g'), 'keep', P1, [b!]);
      const bytes = new Uint8Array(a!.buffer, a!.byteOffset, 64);
      if (rawBytes) expect(containsBytes(await rawBytes(), bytes)).toBe(true);
      await store.deleteSubject(ref('g'), 'erase-me-7f3a');
      const hits = await store.identify(ref('g'), P1, a!, { k: 5 });
      expect(hits.map((h) => h.id)).toEqual(['keep']);
      expect((await store.listSubjects(ref('g'), null, 10)).subjects.map((s) => s.id)).toEqual(['keep']);
      await expect(store.verify(ref('g'), 'erase-me-7f3a', P1, a!)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
      await expect(store.deleteSubject(ref('g'), 'erase-me-7f3a')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
      if (rawBytes) {
        const raw = await rawBytes();
        expect(containsBytes(raw, bytes)).toBe(false);
        expect(containsBytes(raw, new TextEncoder().encode('erase-me-7f3a'))).toBe(false);
      }
    }));

    it('erases a gallery, after which the name is free for any profile', withStore(async ({ store, rawBytes }) => {
      const [a] = vectors(1);
      await store.enroll(ref('g'), 'alice', P1, [a!]);
      await store.deleteGallery(ref('g'));
      await expect(store.info(ref('g'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
      await expect(store.deleteGallery(ref('g'))).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
      if (rawBytes) expect(containsBytes(await rawBytes(), new Uint8Array(a!.buffer, a!.byteOffset, 64))).toBe(false);
      const r = await store.enroll(ref('g'), 'bob', P2, vectors(1));
      expect(r.galleryCreated).toBe(true);
      expect((await store.info(ref('g'))).profile).toEqual(P2);
    }));

    it('keeps tenants apart under the same gallery name', withStore(async ({ store }) => {
      const [a, b] = vectors(2);
      await store.enroll(ref('g', 't1'), 'alice', P1, [a!]);
      await store.enroll(ref('g', 't2'), 'bob', P2, [b!]);
      expect((await store.identify(ref('g', 't1'), P1, b!, { k: 5 })).map((h) => h.id)).toEqual(['alice']);
      expect((await store.identify(ref('g', 't2'), P2, a!, { k: 5 })).map((h) => h.id)).toEqual(['bob']);
      await store.deleteGallery(ref('g', 't2'));
      expect((await store.info(ref('g', 't1'))).subjects).toBe(1);
    }));

    it('limits embeddings per subject', withStore(async ({ store }) => {
      await store.enroll(ref('g'), 'alice', P1, vectors(60));
      await expect(store.enroll(ref('g'), 'alice', P1, vectors(5))).rejects.toMatchObject({ code: 'E_SUBJECT_FULL' });
      expect((await store.info(ref('g'))).subjects).toBe(1);
    }));

    it('counts every one of many writes in flight at once, and refuses only those over a limit', withStore(async ({ store }) => {
      // The Node store commits writes that arrive together in one transaction: each must see the
      // ones before it (a subject's embeddings, the gallery's creation), and one that fails must
      // not take the others down.
      const es = vectors(70);
      const results = await Promise.allSettled(es.map((e, i) => store.enroll(ref('busy'), i % 2 ? 'alice' : `s${i}`, P1, [e])));
      const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code);
      expect(refused).toEqual([]);
      expect(results.filter((r) => r.status === 'fulfilled' && r.value.galleryCreated)).toHaveLength(1);
      const info = await store.info(ref('busy'));
      expect(info.subjects).toBe(36); // alice and the 35 even ones
      const alice = es.filter((_, i) => i % 2);
      const q = vectors(1)[0]!;
      expect(await store.verify(ref('busy'), 'alice', P1, q)).toBeCloseTo(dot(templateOf(alice, DIM), q), 5);
      // 35 embeddings held; 40 more at once: 29 fit under the limit of 64, 11 are refused.
      const more = await Promise.allSettled(vectors(40).map((e) => store.enroll(ref('busy'), 'alice', P1, [e])));
      expect(more.filter((r) => r.status === 'fulfilled')).toHaveLength(29);
      expect(more.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(11).fill('E_SUBJECT_FULL'));
      expect((await store.listSubjects(ref('busy'), 'alic', 1)).subjects[0]).toMatchObject({ id: 'alice', embeddings: 64 });
    }));

    it('survives a reopen where durable', withStore(async (h) => {
      if (!h.reopen) return;
      const es = vectors(3);
      await h.store.enroll(ref('g'), 'a', P1, [es[0]!, es[1]!]);
      await h.store.enroll(ref('g'), 'b', P1, [es[2]!]);
      const again = await h.reopen();
      expect((await again.identify(ref('g'), P1, es[2]!, { k: 1 }))[0]).toEqual({ id: 'b', score: expect.closeTo(1, 5) });
      expect(await again.listSubjects(ref('g'), null, 10)).toMatchObject({ subjects: [{ id: 'a', embeddings: 2 }, { id: 'b', embeddings: 1 }] });
      const r = await again.enroll(ref('g'), 'a', P1, vectors(1));
      expect(r.subject.embeddings).toBe(3);
    }));
  });
}
