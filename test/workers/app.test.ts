/** The shared HTTP suite inside workerd, through the Worker's fetch handler and Durable Objects. */
import { SELF } from 'cloudflare:test';
import { appSuite } from '../worker/app-suite.js';
import { testProfiles } from '../worker/fixtures.js';

const { m, s } = testProfiles();

appSuite('workerd + Durable Objects', async () => ({
  fetch: (path, init) => SELF.fetch(`https://facevq.test${path}`, init),
  m,
  s,
}));
