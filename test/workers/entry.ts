/**
 * The Worker as the workerd tests run it: the real adapter and Durable Object class, with the
 * synthetic test profiles instead of the shipped ones (so the tests do not depend on trained
 * models). `FACEVQ_KEYS` comes from `vitest.workers.config.ts`.
 */
import { testProfiles } from '../worker/fixtures.js';
import { createWorker } from '../../src/worker/adapter/workers.js';

export { GalleryObject } from '../../src/worker/adapter/workers.js';
export default createWorker(testProfiles().files.map((f) => f.slice().buffer));
