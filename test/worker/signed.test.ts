/** The signed-payload suite on Node: SQLite store, device keys derived from a master file, a real restart. */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createApp } from '../../src/worker/app.js';
import { fromHex } from '../../src/worker/auth/devices.js';
import { SqlDeviceRegistry } from '../../src/worker/auth/sql-devices.js';
import { masterFileOf, readMaster } from '../../src/worker/adapter/device-master.js';
import { betterSqliteDriver, openDatabase, SqliteStore } from '../../src/worker/store/sqlite-node.js';
import { testKeyStore, testProfiles } from './fixtures.js';
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
      service.store.close();
      service = await open();
    },
    close: async () => {
      service.store.close();
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
