/** What the app is built from, and its limits with their defaults. */
import type { Context } from 'hono';
import type { DeviceRegistry } from './auth/devices.js';
import type { KeyStore } from './auth/keys.js';
import type { RateLimit } from './auth/rate-limit.js';
import type { BodyLimits } from './body.js';
import type { Precision } from './match/matrix.js';
import type { Metrics } from './metrics.js';
import type { ProfileRegistry } from './profiles.js';
import type { DemoAssets } from './routes/demo.js';
import type { PreviewDecoders } from './routes/preview.js';
import type { GalleryStore } from './store/types.js';

/** Request limits. */
export interface AppLimits {
  /** Body sizes. @default { single: 4096, batch: 2 MiB } */
  body: BodyLimits;
  /** Per-key token bucket; null turns rate limiting off. @default { perSecond: 50, burst: 100 } */
  rate: RateLimit | null;
  /**
   * Per client address, taken before the key is looked up, so unknown or missing keys are
   * limited too (needs `clientAddress`); null: off. @default twice `rate` (off with it)
   */
  rateAddress: RateLimit | null;
  /** Per tenant, over all its keys, so N keys do not get N times the rate; null: off. @default twice `rate` (off with it) */
  rateTenant: RateLimit | null;
  /** Largest `k` of identify. @default 100 */
  maxK: number;
  /** Default and largest page of `GET .../subjects`. @default 100, 1000 */
  page: { default: number; max: number };
  /** Scan precision when the request does not say. @default 'auto' (int8 + f32 rescoring from 4096 subjects) */
  precision: Precision;
  /** How far a signed payload's capture time may be from the server's clock, either side (§13). @default 120 */
  signedWindowSeconds: number;
}

/** Default {@link AppLimits}. */
export const DEFAULT_LIMITS: AppLimits = {
  body: { single: 4096, batch: 2 * 1024 * 1024 },
  rate: { perSecond: 50, burst: 100 },
  rateAddress: { perSecond: 100, burst: 200 },
  rateTenant: { perSecond: 100, burst: 200 },
  maxK: 100,
  page: { default: 100, max: 1000 },
  precision: 'auto',
  signedWindowSeconds: 120,
};

/**
 * The three rate limits from one per-key limit (`facevq serve --rate`, `FACEVQ_RATE`): a tenant
 * and a client address each get twice a key's rate; null turns all three off.
 */
export function rateLimits(perKey: RateLimit | null): Pick<AppLimits, 'rate' | 'rateAddress' | 'rateTenant'> {
  if (perKey === null) return { rate: null, rateAddress: null, rateTenant: null };
  const doubled = { perSecond: 2 * perKey.perSecond, burst: 2 * perKey.burst };
  return { rate: perKey, rateAddress: doubled, rateTenant: doubled };
}

/** Options of `createApp`. */
export interface AppOptions {
  /** Where galleries live. */
  store: GalleryStore;
  /** The profiles payloads may use. */
  profiles: ProfileRegistry;
  /** API keys. */
  keys: KeyStore;
  /** Device keys and which galleries require signed payloads. @default none: unsigned payloads everywhere */
  devices?: DeviceRegistry;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<AppLimits>;
  /** Milliseconds since the epoch, for rate limits and capture times. @default Date.now */
  clock?: () => number;
  /**
   * The client's address, for `limits.rateAddress`: the TCP peer on Node (behind a proxy that is
   * the proxy: limit there, or turn this limit off), `CF-Connecting-IP` on Workers. Absent: no
   * per-address limit.
   */
  clientAddress?: (c: Context) => string | undefined;
  /** When given, every request is recorded and `GET /metrics` serves them (the Node adapter does). */
  metrics?: Metrics;
  /** The VQ-VAE decoders of `POST /v1/preview`; without them the route is not mounted. */
  preview?: PreviewDecoders;
  /** The demo page's files, served at `/demo/`; without them there is no page. */
  demo?: DemoAssets;
  /** Called with unexpected errors (answered as 500 `E_INTERNAL`). @default console.error */
  onInternalError?: (error: unknown) => void;
}

/** What routes need. */
export interface ServiceDeps {
  store: GalleryStore;
  profiles: ProfileRegistry;
  limits: AppLimits;
  devices: DeviceRegistry;
  clock: () => number;
}
