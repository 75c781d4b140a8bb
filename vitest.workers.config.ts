/**
 * Tests inside workerd (`npm run test:workers`): the same app, the Durable Object store, auth and
 * tenant isolation, through @cloudflare/vitest-pool-workers. Bindings come from wrangler.toml; the
 * entry is the test Worker (synthetic profiles) and the keys are the test keys.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { testKeyRecords } from './test/worker/fixtures.js';

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      main: './test/workers/entry.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: { FACEVQ_KEYS: JSON.stringify(await testKeyRecords()), FACEVQ_RATE: 'off' },
      },
    })),
  ],
  test: {
    include: ['test/workers/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
