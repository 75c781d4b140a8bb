import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../_cli.js';
import { UsageError } from '../../src/cli/args.js';
import { run } from '../../src/cli/devices.js';
import { StaticDeviceRegistry, toHex } from '../../src/worker/auth/devices.js';
import { SqlDeviceRegistry } from '../../src/worker/auth/sql-devices.js';
import { masterFileOf, readMaster } from '../../src/worker/adapter/device-master.js';
import { betterSqliteDriver, openDatabase } from '../../src/worker/store/sqlite-node.js';

const devices = (...argv: string[]) => runCli(run, argv);

describe('facevq devices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-devices-'));
  const db = join(dir, 'd.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const registry = <T>(fn: (r: SqlDeviceRegistry) => T): T => {
    const database = openDatabase(db);
    try {
      return fn(new SqlDeviceRegistry(betterSqliteDriver(database), readMaster(masterFileOf(db), false)));
    } finally {
      database.close();
    }
  };

  it('add: prints the next key id and a key the database does not hold; revoke and policies', async () => {
    const first = await devices('add', '--tenant', 'acme', '--db', db);
    expect(first.code).toBe(0);
    const [, keyId, key] = /key id: (\S+)\nkey:\s+(\S+)/.exec(first.stdout)!;
    expect(keyId).toBe('01');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(masterFileOf(db)).mode & 0o777).toBe(0o600);
    expect(readFileSync(db).toString('hex')).not.toContain(key);
    expect(toHex((await registry((r) => r.lookup('acme', '01')))!.secret)).toBe(key);
    const second = await devices('add', '--tenant', 'acme', '--galleries', 'door', '--expires', '30d', '--label', 'front door', '--db', db);
    expect(second.stdout).toContain('key id: 02');
    expect(await registry((r) => r.lookup('acme', '02'))).toMatchObject({ galleries: ['door'], expiresAt: expect.any(Number) });

    expect((await devices('revoke', '--tenant', 'acme', '--key-id', '01', '--db', db)).code).toBe(0);
    expect(await registry((r) => r.lookup('acme', '01'))).toBeNull();
    await expect(devices('revoke', '--tenant', 'acme', '--key-id', '01', '--db', db)).rejects.toBeInstanceOf(UsageError);
    // Ids are never reused: the next key is 03 although 01 is revoked.
    expect((await devices('add', '--tenant', 'acme', '--db', db)).stdout).toContain('key id: 03');

    expect((await devices('require', '--tenant', 'acme', '--gallery', 'door', '--db', db)).code).toBe(0);
    expect(registry((r) => r.policy({ tenant: 'acme', gallery: 'door' }))).toBe('required');
    expect(registry((r) => r.policy({ tenant: 'acme', gallery: 'lobby' }))).toBe('optional');
    const list = (await devices('list', '--db', db)).stdout;
    expect(list).toMatch(/acme {2}01 {2}\* {2}revoked /);
    expect(list).toMatch(/acme {2}02 {2}door {2}expires 20\d\d-.* {2}front door/);
    expect(list).toContain('signed payloads required: acme/door');
    await devices('optional', '--tenant', 'acme', '--gallery', 'door', '--db', db);
    expect(registry((r) => r.policy({ tenant: 'acme', gallery: 'door' }))).toBe('optional');
  });

  it('record: a key and its FACEVQ_DEVICES record for the Worker', async () => {
    const { code, stdout } = await devices('record', '--tenant', 'acme', '--key-id', '0A', '--galleries', 'door');
    expect(code).toBe(0);
    const record = JSON.parse(/record: (.*)/.exec(stdout)![1]!);
    const key = /key:\s+(\S+)/.exec(stdout)![1]!;
    const parsed = StaticDeviceRegistry.fromJson(JSON.stringify([record]), '["acme/door"]');
    expect(parsed.lookup('acme', '0a')).toMatchObject({ tenant: 'acme', keyId: '0a', galleries: ['door'] });
    expect(toHex(parsed.lookup('acme', '0a')!.secret)).toBe(key);
    expect(parsed.policy({ tenant: 'acme', gallery: 'door' })).toBe('required');
  });

  it('refuses bad options', async () => {
    await expect(devices('add', '--tenant', 'a/b', '--db', db)).rejects.toBeInstanceOf(UsageError);
    await expect(devices('record', '--tenant', 'a', '--key-id', 'xyz')).rejects.toBeInstanceOf(UsageError);
    await expect(devices('record', '--tenant', 'a', '--key-id', '01', '--expires', 'soon')).rejects.toBeInstanceOf(UsageError);
    await expect(devices('require', '--tenant', 'a', '--gallery', 'a/b', '--db', db)).rejects.toBeInstanceOf(UsageError);
    await expect(devices('rotate')).rejects.toBeInstanceOf(UsageError);
    expect(() => StaticDeviceRegistry.fromJson('[{"tenant":"t","keyId":"01","secret":"00"}]', '[]')).toThrow(/secret/);
    expect(() => StaticDeviceRegistry.fromJson('[]', '["nope"]')).toThrow(/FACEVQ_SIGNED/);
  });
});
