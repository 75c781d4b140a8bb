/**
 * The matcher service as one runtime-free Hono app. The adapters (`adapter/node.ts`,
 * `adapter/workers.ts`) only build its dependencies and serve it; tests call `app.request()`.
 *
 * Routes: `GET /healthz`, `GET /v1/openapi.json` (no key needed), and behind
 * `Authorization: Bearer KEY`: profiles, embed, the gallery routes and, where the runtime supplies
 * decoders, the preview (`routes/`); the demo page's static files where it supplies them. Every
 * failure is answered by the one `onError` below as `{ error: { code, message } }` with the
 * status of its code (`errors.ts`); a malformed payload is a 4xx with the codec's code.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { FacevqError } from '../codec/index.js';
import { allowedMethods } from './allow.js';
import { NO_DEVICES } from './auth/devices.js';
import { authenticate, type AuthEnv } from './auth/middleware.js';
import { TokenBuckets, type RateLimit } from './auth/rate-limit.js';
import { DEFAULT_LIMITS, rateLimits, type AppLimits, type AppOptions, type ServiceDeps } from './config.js';
import { quoted, ServiceError, statusOf, type ApiErrorCode, type ErrorBody } from './errors.js';
import { openApiDocument } from './openapi.js';
import { galleryRoutes } from './routes/galleries.js';
import { demoRoutes } from './routes/demo.js';
import { metaRoutes } from './routes/meta.js';
import { previewRoutes } from './routes/preview.js';

export type { AppOptions } from './config.js';

/** The app's type. */
export type FacevqApp = Hono<AuthEnv>;

function errorResponse(c: Context, code: ApiErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const body: ErrorBody = { error: { code, message } };
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json(body, statusOf(code) as ContentfulStatusCode);
}

/** The codes for statuses Hono itself raises (e.g. a malformed URL). */
const HTTP_CODES: Record<number, ApiErrorCode> = { 401: 'E_UNAUTHORIZED', 403: 'E_FORBIDDEN', 404: 'E_NOT_FOUND', 413: 'E_BODY_TOO_LARGE' };

/** Builds the service. */
export function createApp(options: AppOptions): FacevqApp {
  const limits: AppLimits = { ...DEFAULT_LIMITS, ...rateLimits(options.limits?.rate === undefined ? DEFAULT_LIMITS.rate : options.limits.rate), ...options.limits };
  const clock = options.clock ?? Date.now;
  const deps: ServiceDeps = { store: options.store, profiles: options.profiles, limits, devices: options.devices ?? NO_DEVICES, clock };
  const onInternalError = options.onInternalError ?? ((e: unknown) => console.error('facevq: internal error', e));
  const app = new Hono<AuthEnv>();

  if (options.metrics) {
    const metrics = options.metrics;
    app.use('*', metrics.middleware());
    app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4' }));
  }

  app.get('/healthz', (c) => c.json({ ok: true, profiles: options.profiles.describe().map((p) => p.name) }));
  app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));

  const buckets = (limit: RateLimit | null) => (limit ? new TokenBuckets(limit, clock) : null);
  const limiters = { key: buckets(limits.rate), tenant: buckets(limits.rateTenant), address: buckets(limits.rateAddress), addressOf: options.clientAddress ?? (() => undefined) };
  app.use('/v1/*', authenticate(options.keys, limiters, clock));
  app.route('/v1', metaRoutes(deps));
  app.route('/v1', galleryRoutes(deps));
  if (options.preview) app.route('/v1', previewRoutes(deps, options.preview));
  if (options.demo) app.route('/', demoRoutes(options.demo));

  const methodsAt = allowedMethods(app);
  app.notFound((c) => {
    const allowed = methodsAt(c.req.path);
    if (allowed.length > 0) {
      return errorResponse(c, 'E_METHOD_NOT_ALLOWED', `${c.req.path} answers ${allowed.join(', ')}, not ${c.req.method}`, { Allow: allowed.join(', ') });
    }
    return errorResponse(c, 'E_NOT_FOUND', `no route ${c.req.method} ${quoted(c.req.path)}`);
  });
  app.onError((error, c) => {
    if (error instanceof ServiceError) return errorResponse(c, error.code, error.message, error.headers);
    if (error instanceof FacevqError) return errorResponse(c, error.code, error.message);
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, HTTP_CODES[error.status] ?? 'E_BAD_REQUEST', error.message || 'bad request');
    }
    onInternalError(error);
    return errorResponse(c, 'E_INTERNAL', 'internal error');
  });
  return app;
}
