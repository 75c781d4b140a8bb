/**
 * The signed-payload suite inside workerd: the Worker's own fetch handler with `FACEVQ_DEVICES`
 * and `FACEVQ_SIGNED` (revoking is dropping a record from the secret, as an operator would), the
 * replay cache in each gallery's Durable Object, and a restart of every object in between.
 */
import { abortAllDurableObjects, env } from 'cloudflare:test';
import { fromHex } from '../../src/worker/auth/devices.js';
import { DEVICE_RECORDS, SIGNED_RULES, testProfiles } from '../worker/fixtures.js';
import { signedSuite } from '../worker/signed-suite.js';
import worker from './entry.js';

const { m } = testProfiles();
const device = (r: { keyId: string; secret: string }) => ({ keyId: fromHex(r.keyId), key: fromHex(r.secret) });

signedSuite('workerd + Durable Objects', async () => {
  let records: { keyId: string }[] = Object.values(DEVICE_RECORDS);
  const bindings = () => ({ ...env, FACEVQ_DEVICES: JSON.stringify(records), FACEVQ_SIGNED: JSON.stringify(SIGNED_RULES) });
  const ctx = { waitUntil: () => {}, passThroughOnException: () => {} };
  return {
    fetch: (path, init) => worker.fetch(new Request(`https://facevq.test${path}`, init), bindings(), ctx),
    m,
    devices: { live: device(DEVICE_RECORDS.live), revocable: device(DEVICE_RECORDS.revocable), elsewhere: device(DEVICE_RECORDS.elsewhere) },
    revoke: async () => {
      records = records.filter((r) => r.keyId !== DEVICE_RECORDS.revocable.keyId);
    },
    restart: () => abortAllDurableObjects(),
  };
});
