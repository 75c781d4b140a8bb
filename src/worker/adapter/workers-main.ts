/**
 * The Worker's entry (wrangler.toml `main`): the shipped profiles m and s, bundled as Data modules.
 * `xs` (SHIPPED_PROFILES in src/sdk/models.ts) is left out: with it the bundle is 3.4 MB gzip,
 * over the free plan's 3 MiB (test/worker/bundle.test.ts); its payloads get E_PROFILE_UNKNOWN.
 */
import m from '../../../models/m.fvqp';
import s from '../../../models/s.fvqp';
import { createWorker } from './workers.js';

export { GalleryObject } from './workers.js';
export default createWorker([m, s]);
