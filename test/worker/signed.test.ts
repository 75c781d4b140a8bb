/** The signed-payload suite on Node: SQLite store, device keys derived from a master file, a real restart. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createApp } from '../../src/worker/app.js';
import { signCapture } from '../../src/codec/index.js';
import { deviceSigner, MatcherClient } from '../../src/sdk/client.js';
import { fromHex, StaticDeviceRegistry } from '../../src/worker/auth/devices.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { SqlDeviceRegistry } from '../../src/worker/auth/sql-devices.js';
import { masterFileOf, readMaster } from '../../src/worker/adapter/device-master.js';
import { betterSqliteDriver, openDatabase, SqliteStore } from '../../src/worker/store/sqlite-node.js';
import { DEVICE_RECORDS, KEYS, MEDIA_TYPE, SIGNED_RULES, syntheticPayloads, testKeyStore, testProfiles } from './fixtures.js';
import { OpenApiRecorder } from './openapi-check.js';
import { signedSuite, type TestDevice } from './signed-suite.js';

const { m, registry } = testProfiles();
const openApi = new OpenApiRecorder();
afterAll(() => expect(openApi.problems).toEqual([]));

signedSuite('SQLite store on Node', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-signed-'));
  const file = join(dir, 'facevq.db');
  const open = async () => {
    const store = new SqliteStore(openDatabase(file));
    const devices = new SqlDeviceRegistry(betterSqliteDriver(store.db), readMaster(masterFileOf(file), true));
    const app = createApp({ store, profiles: registry, keys: await testKeyStore(), devices, limits: { rate: null } });
    return { store, devices, app };
  };
  let service = await open();
  service.devices.setPolicy('tenant-a', 'door', 'required');
  const issue = async (galleries?: string[]): Promise<TestDevice> => {
    const k = await service.devices.add('tenant-a', galleries ? { galleries } : {});
    return { keyId: fromHex(k.keyId), key: k.secret };
  };
  const devices = { live: await issue(), revocable: await issue(), elsewhere: await issue(['elsewhere']) };
  return {
    fetch: openApi.wrap((path, init) => Promise.resolve(service.app.request(path, init))),
    m,
    devices,
    revoke: async () => void service.devices.revoke('tenant-a', '02'),
    restart: async () => {
      await service.store.close();
      service = await open();
    },
    close: async () => {
      await service.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

it('keeps the device master key in a file only its owner reads, apart from the database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-master-'));
  try {
    const file = masterFileOf(join(dir, 'x.db'));
    expect(readMaster(file, false)).toBeNull();
    const master = readMaster(file, true)!;
    expect(master).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readMaster(file, false)).toEqual(master);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('MatcherClient signs each attempt anew, so a retry after a lost answer is not a replay', async () => {
  const devices = StaticDeviceRegistry.fromJson(JSON.stringify([DEVICE_RECORDS.live]), JSON.stringify(SIGNED_RULES));
  const app = createApp({ store: createMemoryStore(), profiles: registry, keys: await testKeyStore(), devices, limits: { rate: null } });
  const src = syntheticPayloads(m, 2);
  for (const p of src.people) await app.request(`/v1/galleries/door/subjects/${p}/enroll`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.aWrite}`, 'content-type': MEDIA_TYPE }, body: src.capture(p, 0) as Uint8Array<ArrayBuffer> });
  // The first attempt reaches the service, which accepts it; its answer is lost (503 to the client).
  const sent: string[] = [];
  const losesFirstAnswer = (): typeof fetch => {
    let attempts = 0;
    return async (input, init) => {
      sent.push(Buffer.from(new Uint8Array(init!.body as ArrayBuffer)).toString('hex'));
      const response = await app.request(String(input).replace('http://matcher.test', ''), init);
      return attempts++ === 0 ? new Response('lost', { status: 503 }) : response;
    };
  };
  const options = { baseUrl: 'http://matcher.test', apiKey: KEYS.aRead, retries: 1 };
  const live = { keyId: fromHex(DEVICE_RECORDS.live.keyId), key: fromHex(DEVICE_RECORDS.live.secret) };
  const probe = src.capture('person-1', 1);
  const signing = new MatcherClient({ ...options, fetch: losesFirstAnswer(), signer: deviceSigner([m], live) }, { sleep: async () => {} });
  const result = await signing.identify('door', probe);
  expect(result.candidates[0]!.subject).toBe('person-1');
  expect(new Set(sent).size).toBe(2); // two attempts, two different signed payloads
  // Signing once and resending the same bytes: the retry is a replay.
  const once = await signCapture(probe, m, live);
  const plain = new MatcherClient({ ...options, fetch: losesFirstAnswer() }, { sleep: async () => {} });
  await expect(plain.identify('door', once)).rejects.toMatchObject({ code: 'E_REPLAY', status: 409 });
});
