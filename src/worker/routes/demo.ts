/**
 * The demo page (`GET /demo/`, and `/` redirects there): static files only, from an
 * {@link DemoAssets} the runtime supplies (`src/demo/assets.ts` on Node). No key is needed to load
 * the page; everything it does against the API goes through `/v1` with the key the user pastes.
 */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth/middleware.js';
import { reject } from '../errors.js';

/** One static file. */
export interface DemoAsset {
  body: Uint8Array<ArrayBuffer> | string;
  /** Its `Content-Type`. */
  type: string;
}

/** The demo's files, by path below `/demo/` (`index.html`, `app.js`, `vendor/...`). */
export interface DemoAssets {
  get(path: string): Promise<DemoAsset | undefined>;
}

/** The demo routes. */
export function demoRoutes(assets: DemoAssets): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get('/', (c) => c.redirect('/demo/'));
  app.get('/demo', (c) => c.redirect('/demo/'));
  app.get('/demo/*', async (c) => {
    const path = c.req.path.slice('/demo/'.length) || 'index.html';
    const asset = await assets.get(path);
    if (!asset) return reject('E_NOT_FOUND', `no demo file ${path}`);
    return c.body(asset.body, 200, { 'Content-Type': asset.type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
  });
  return app;
}
