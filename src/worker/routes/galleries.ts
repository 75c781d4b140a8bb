/**
 * Gallery routes under `/v1/galleries/:gallery`: enroll, identify, verify, list, delete. Every
 * route resolves the gallery through `galleryFor`, which takes the tenant from the API key.
 */
import { Hono } from 'hono';
import { FacevqError } from '../../codec/index.js';
import { galleryFor, type AuthEnv } from '../auth/middleware.js';
import { checkSigned } from '../auth/signed.js';
import { readPayload, readPayloads } from '../body.js';
import type { ServiceDeps } from '../config.js';
import { parseK, parseLimit, parsePrecision, resolveThreshold } from '../decision.js';
import { reject, type ApiErrorCode } from '../errors.js';
import { checkSubject, type GalleryRef } from '../names.js';
import type { Embedded } from '../profiles.js';

/** One batch item that was not enrolled. */
interface Rejected {
  id: string;
  code: ApiErrorCode;
  message: string;
}

const encodeCursor = (id: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(id))).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

function decodeCursor(cursor: string): string {
  try {
    const bin = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    return checkSubject(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0))));
  } catch {
    return reject('E_BAD_REQUEST', 'invalid cursor');
  }
}

/** Decodes every item; returns the embeddings of the first item's profile and what was rejected. */
function embedAll(deps: ServiceDeps, items: { id: string; payload: Uint8Array }[]): { accepted: Embedded[]; rejected: Rejected[] } {
  const accepted: Embedded[] = [];
  const rejected: Rejected[] = [];
  for (const item of items) {
    try {
      const e = deps.profiles.embed(item.payload);
      if (accepted[0] && accepted[0].binding.sha256 !== e.binding.sha256) {
        rejected.push({ id: item.id, code: 'E_PROFILE_MISMATCH', message: `profile "${e.profile.name}" differs from the batch's "${accepted[0].profile.name}"` });
      } else {
        accepted.push(e);
      }
    } catch (error) {
      if (!(error instanceof FacevqError)) throw error;
      rejected.push({ id: item.id, code: error.code, message: error.message });
    }
  }
  return { accepted, rejected };
}

/**
 * Reads one payload, embeds it and checks its signature against the gallery's policy (identify
 * and verify: the routes that decide access, `auth/signed.ts`).
 */
async function embedSigned(deps: ServiceDeps, req: Request, ref: GalleryRef): Promise<Embedded> {
  const payload = await readPayload(req, deps.limits.body);
  const embedded = deps.profiles.embed(payload);
  const check = { devices: deps.devices, store: deps.store, windowSeconds: deps.limits.signedWindowSeconds, now: deps.clock() };
  await checkSigned(check, ref, payload, embedded.extensions);
  return embedded;
}

/** The gallery routes. */
export function galleryRoutes(deps: ServiceDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const { store } = deps;

  app.get('/galleries/:gallery', async (c) => c.json(await store.info(galleryFor(c, 'read'))));

  app.delete('/galleries/:gallery', async (c) => {
    await store.deleteGallery(galleryFor(c, 'write'));
    return c.body(null, 204);
  });

  app.get('/galleries/:gallery/subjects', async (c) => {
    const ref = galleryFor(c, 'read');
    const limit = parseLimit(c.req.query('limit'), deps.limits.page.default, deps.limits.page.max);
    const cursor = c.req.query('cursor');
    const page = await store.listSubjects(ref, cursor === undefined ? null : decodeCursor(cursor), limit);
    return c.json({ gallery: ref.gallery, subjects: page.subjects, nextCursor: page.nextAfter === null ? null : encodeCursor(page.nextAfter) });
  });

  app.post('/galleries/:gallery/subjects/:subject/enroll', async (c) => {
    const ref = galleryFor(c, 'write');
    const subject = checkSubject(c.req.param('subject'));
    const body = await readPayloads(c.req.raw, deps.limits.body, true);
    const items = body.kind === 'single' ? [{ id: '0', payload: body.payload }] : body.items;
    const { accepted, rejected } = embedAll(deps, items);
    if (accepted.length === 0) {
      const first = rejected[0]!;
      reject(first.code, body.kind === 'single' ? first.message : `no item of the batch was enrolled; items[0] (${first.id}): ${first.message}`);
    }
    const result = await store.enroll(ref, subject, accepted[0]!.binding, accepted.map((e) => e.embedding));
    return c.json(
      { gallery: ref.gallery, subject: result.subject, profile: accepted[0]!.profile.name, added: accepted.length, rejected },
      result.created ? 201 : 200,
    );
  });

  app.post('/galleries/:gallery/identify', async (c) => {
    const ref = galleryFor(c, 'read');
    const k = parseK(c.req.query('k'), deps.limits.maxK);
    const precision = parsePrecision(c.req.query('precision'), deps.limits.precision);
    const e = await embedSigned(deps, c.req.raw, ref);
    const { threshold, far } = resolveThreshold(e.profile, c.req.query('far'), c.req.query('threshold'));
    const hits = await store.identify(ref, e.binding, e.embedding, { k, precision });
    const candidates = hits.map((h) => ({ subject: h.id, score: h.score, match: h.score >= threshold }));
    const best = candidates[0];
    return c.json({
      gallery: ref.gallery,
      profile: e.profile.name,
      threshold,
      far,
      match: best?.match ? { subject: best.subject, score: best.score } : null,
      candidates,
    });
  });

  app.post('/galleries/:gallery/subjects/:subject/verify', async (c) => {
    const ref = galleryFor(c, 'read');
    const subject = checkSubject(c.req.param('subject'));
    const e = await embedSigned(deps, c.req.raw, ref);
    const { threshold, far } = resolveThreshold(e.profile, c.req.query('far'), c.req.query('threshold'));
    const score = await store.verify(ref, subject, e.binding, e.embedding);
    return c.json({ gallery: ref.gallery, subject, profile: e.profile.name, score, threshold, far, match: score >= threshold });
  });

  app.delete('/galleries/:gallery/subjects/:subject', async (c) => {
    const ref = galleryFor(c, 'write');
    await store.deleteSubject(ref, checkSubject(c.req.param('subject')));
    return c.body(null, 204);
  });

  return app;
}
