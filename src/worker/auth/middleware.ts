/**
 * Authentication for `/v1`: `Authorization: Bearer KEY` → the key's record (looked up by SHA-256),
 * then the key's rate limit. Scope and gallery checks happen per route ({@link requireScope},
 * {@link galleryFor}) so each route states what it needs.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { reject } from '../errors.js';
import { checkName, type GalleryRef } from '../names.js';
import { grants, KeyHasher, type KeyRecord, type KeyStore, type Scope } from './keys.js';
import type { TokenBuckets } from './rate-limit.js';

/** Hono environment of authenticated routes. */
export interface AuthEnv {
  Variables: { auth: KeyRecord };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** The token buckets of `/v1`, each optional: by client address, by key hash, by tenant. */
export interface Limiters {
  address: TokenBuckets | null;
  key: TokenBuckets | null;
  tenant: TokenBuckets | null;
  /** The request's client address, when known. */
  addressOf: (c: Context) => string | undefined;
}

/** `E_RATE_LIMITED` unless `buckets` has a token for `id`. */
function take(buckets: TokenBuckets | null, id: string | undefined, what: string): void {
  if (!buckets || id === undefined) return;
  const d = buckets.take(id);
  if (!d.ok) reject('E_RATE_LIMITED', `${what} rate limit exceeded; retry in ${d.retryAfterMs} ms`, { 'Retry-After': String(Math.ceil(d.retryAfterMs / 1000)) });
}

/**
 * Middleware: takes a token for the client address (before the key is known, so bad keys are
 * limited too), authenticates the key, then takes tokens for the key and for its tenant.
 */
export function authenticate(keys: KeyStore, limiters: Limiters, clock: () => number = Date.now): MiddlewareHandler<AuthEnv> {
  const hasher = new KeyHasher();
  return async (c, next) => {
    take(limiters.address, limiters.addressOf(c), 'per-address');
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) reject('E_UNAUTHORIZED', 'send an API key as "Authorization: Bearer KEY"', { 'WWW-Authenticate': 'Bearer' });
    const key = match[1]!;
    const hash = hasher.hash(key);
    const record = await keys.lookup(hash);
    if (!record) reject('E_UNAUTHORIZED', 'unknown API key', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    if (record.expiresAt !== undefined && record.expiresAt <= clock()) reject('E_UNAUTHORIZED', 'expired API key', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    hasher.remember(key, hash);
    take(limiters.key, hash, 'per-key');
    take(limiters.tenant, record.tenant, 'per-tenant');
    c.set('auth', record);
    await next();
  };
}

/** `E_FORBIDDEN` unless the request's key has `scope`. */
export function requireScope(c: Context<AuthEnv>, scope: Scope): KeyRecord {
  const auth = c.get('auth');
  if (!grants(auth.scope, scope)) reject('E_FORBIDDEN', `this key has scope "${auth.scope}"; the route needs "${scope}"`);
  return auth;
}

/**
 * The tenant's gallery named in the path, after the scope and allow-list checks. The tenant
 * always comes from the key, never from the request: this is what keeps tenants apart.
 */
export function galleryFor(c: Context<AuthEnv>, scope: Scope): GalleryRef {
  const auth = requireScope(c, scope);
  const gallery = checkName('gallery', c.req.param('gallery') ?? '');
  if (auth.galleries && !auth.galleries.includes(gallery)) reject('E_FORBIDDEN', `this key may not use gallery ${gallery}`);
  return { tenant: auth.tenant, gallery };
}
