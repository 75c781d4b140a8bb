/**
 * The service on Cloudflare Workers: profiles from Data modules, keys from the `FACEVQ_KEYS`
 * secret (a JSON array of hashed key records, see the README), device keys from `FACEVQ_DEVICES`
 * and signature policies from `FACEVQ_SIGNED`, galleries in Durable Objects (each also holding
 * its gallery's replay cache).
 * Rate limits are per isolate. The app is built once per isolate and rebuilt if a secret or variable changes.
 */
import { createApp, type FacevqApp } from '../app.js';
import { rateLimits } from '../config.js';
import { StaticDeviceRegistry } from '../auth/devices.js';
import { StaticKeyStore } from '../auth/keys.js';
import { ProfileRegistry } from '../profiles.js';
import { DurableObjectStore, type GalleryObjectStub } from '../store/durable.js';
import scanWasm from '../match/scan.wasm';
import type { DurableObjectNamespace, ExecutionContext } from 'cloudflare:workers';

export { GalleryObject } from '../store/durable.js';

/** The Worker's bindings (wrangler.toml). */
export interface WorkerEnv {
  GALLERIES: DurableObjectNamespace<GalleryObjectStub>;
  /** JSON array of key records: `[{ "hash": "<sha256 hex>", "tenant": "t", "scope": "write" }]`. */
  FACEVQ_KEYS?: string;
  /** `"<per second>/<burst>"`, or `"off"`. Default `50/100`. */
  FACEVQ_RATE?: string;
  /** JSON array of device key records (`facevq devices record`), keys included: a secret. */
  FACEVQ_DEVICES?: string;
  /** JSON array of `"tenant/gallery"` or `"tenant/*"`: galleries that accept only signed payloads. */
  FACEVQ_SIGNED?: string;
}

/** Logged once per isolate (a Worker has no start-up hook that sees its secrets) when no key is configured. */
export const NO_KEYS =
  'facevq: no API keys configured (FACEVQ_KEYS is empty), so every /v1 call answers 401. Make one with ' +
  '`npx facevq keys hash --tenant NAME` and put its record in FACEVQ_KEYS: in .dev.vars for wrangler dev ' +
  "(FACEVQ_KEYS='[{...}]'), with `npx wrangler secret put FACEVQ_KEYS` when deployed.";

/** The fetch handler for profile files `files` (`.fvqp` bytes). */
export function createWorker(files: readonly ArrayBuffer[]): { fetch(req: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> } {
  const profiles = ProfileRegistry.fromFiles(files.map((f) => new Uint8Array(f)), scanWasm);
  let built: { config: string; app: FacevqApp } | undefined;
  return {
    async fetch(req, env) {
      const [keys, rate, devices, signed] = [env.FACEVQ_KEYS ?? '[]', env.FACEVQ_RATE ?? '50/100', env.FACEVQ_DEVICES ?? '[]', env.FACEVQ_SIGNED ?? '[]'];
      const config = JSON.stringify([keys, rate, devices, signed]);
      if (built?.config !== config) {
        const [perSecond, burst] = rate.split('/').map(Number);
        const limits = rateLimits(rate === 'off' ? null : { perSecond: perSecond!, burst: burst ?? 2 * perSecond! });
        const keyStore = StaticKeyStore.fromJson(keys);
        if (keyStore.size === 0) console.warn(NO_KEYS);
        const app = createApp({
          store: new DurableObjectStore(env.GALLERIES), profiles, keys: keyStore,
          devices: StaticDeviceRegistry.fromJson(devices, signed), limits, clientAddress: (c) => c.req.header('cf-connecting-ip'),
        });
        built = { config, app };
      }
      return built.app.fetch(req, env);
    },
  };
}
