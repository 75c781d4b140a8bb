/**
 * `POST /v1/preview` (read scope): one payload in, the face its indices keep out, as a PNG made by
 * the profile's VQ-VAE decoder (`preview/decoder.ts`). A service built without decoders (the
 * Worker) does not mount this route; a profile without a decoder is `E_NOT_FOUND`.
 */
import { Hono } from 'hono';
import { decodeGrid, type Profile } from '../../codec/index.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { readPayload } from '../body.js';
import type { ServiceDeps } from '../config.js';
import { reject } from '../errors.js';
import type { GridDecoder } from '../preview/decoder.js';
import { encodePng } from '../preview/png.js';

/** The decoders a service holds. */
export interface PreviewDecoders {
  /**
   * The decoder for `profile` and the file it came from, or a reason why there is none (the
   * route answers it as `E_NOT_FOUND`).
   */
  decoderFor(profile: Profile): Promise<{ decoder: GridDecoder; file: string } | { missing: string }>;
}

/** The preview route. */
export function previewRoutes(deps: ServiceDeps, decoders: PreviewDecoders): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.post('/preview', async (c) => {
    requireScope(c, 'read');
    const { grid, profile } = decodeGrid(await readPayload(c.req.raw, deps.limits.body), deps.profiles.set);
    const found = await decoders.decoderFor(profile);
    if ('missing' in found) return reject('E_NOT_FOUND', found.missing);
    const png = await encodePng(await found.decoder.decode(grid, profile));
    return c.body(png, 200, {
      'Content-Type': 'image/png',
      'Cache-Control': 'no-store',
      'X-Facevq-Profile': profile.name,
      'X-Facevq-Decoder': found.file,
    });
  });
  return app;
}
