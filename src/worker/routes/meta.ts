/** `GET /v1/profiles` and `POST /v1/embed`: the profiles held, and a payload's embedding. */
import { Hono } from 'hono';
import { FacevqError, type Extensions } from '../../codec/index.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { readPayloads } from '../body.js';
import type { ServiceDeps } from '../config.js';
import type { Embedded } from '../profiles.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Extensions as JSON: times as numbers, byte strings as hex. */
function extensionsJson(ext: Extensions): Record<string, unknown> {
  return {
    ...(ext.captureTime !== undefined && { captureTime: ext.captureTime }),
    ...(ext.nonce && { nonce: hex(ext.nonce) }),
    ...(ext.keyId && { keyId: hex(ext.keyId) }),
    ...(ext.authTag && { authTag: hex(ext.authTag) }),
    ...(ext.unknown?.length && { unknown: ext.unknown.map((u) => ({ type: u.type, value: hex(u.value) })) }),
  };
}

/** The JSON of one embedded payload. */
function embeddedJson(e: Embedded): Record<string, unknown> {
  return {
    profile: e.profile.name,
    profileSha256: e.binding.sha256,
    mode: e.mode,
    extensions: extensionsJson(e.extensions),
    dim: e.embedding.length,
    embedding: Array.from(e.embedding),
  };
}

/** The profile and embed routes. */
export function metaRoutes(deps: ServiceDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get('/profiles', (c) => {
    requireScope(c, 'read');
    return c.json({ profiles: deps.profiles.describe() });
  });

  app.post('/embed', async (c) => {
    requireScope(c, 'read');
    const body = await readPayloads(c.req.raw, deps.limits.body, true);
    if (body.kind === 'single') return c.json(embeddedJson(deps.profiles.embed(body.payload)));
    const items = body.items.map((item) => {
      try {
        return { id: item.id, ...embeddedJson(deps.profiles.embed(item.payload)) };
      } catch (error) {
        if (!(error instanceof FacevqError)) throw error;
        return { id: item.id, error: { code: error.code, message: error.message } };
      }
    });
    return c.json({ items });
  });

  return app;
}
