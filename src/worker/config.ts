/** What the app is built from, and its limits with their defaults. */
import type { DeviceRegistry } from './auth/devices.js';
import type { KeyStore } from './auth/keys.js';
import type { RateLimit } from './auth/rate-limit.js';
import type { BodyLimits } from './body.js';
import type { Precision } from './match/matrix.js';
import type { Metrics } from './metrics.js';
import type { ProfileRegistry } from './profiles.js';
import type { GalleryStore } from './store/types.js';

/** Request limits. */
export interface AppLimits {
  /** Body sizes. @default { single: 4096, batch: 2 MiB } */
  body: BodyLimits;
  /** Per-key token bucket; null turns rate limiting off. @default { perSecond: 50, burst: 100 } */
  rate: RateLimit | null;
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
  maxK: 100,
  page: { default: 100, max: 1000 },
  precision: 'auto',
  signedWindowSeconds: 120,
};

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
  /** When given, every request is recorded and `GET /metrics` serves them (the Node adapter does). */
  metrics?: Metrics;
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
