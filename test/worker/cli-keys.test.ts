import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../_cli.js';
import { UsageError } from '../../src/cli/errors.js';
import { run } from '../../src/cli/keys.js';
import { checkKeyRecord, hashKey } from '../../src/worker/auth/keys.js';
import { SqlKeyStore } from '../../src/worker/auth/sql-keys.js';
import { betterSqliteDriver, openDatabase } from '../../src/worker/store/sqlite-node.js';
import { createApp } from '../../src/worker/app.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { testProfiles } from './fixtures.js';

/** Runs `facevq keys ...` in process and returns its exit code and stdout. */
async function keys(...argv: string[]): Promise<{ code: number; out: string }> {
  const { code, stdout } = await runCli(run, argv);
  return { code, out: stdout };
}

describe('facevq keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-keys-'));

  it('hash: prints a key and its FACEVQ_KEYS record', async () => {
    const { code, out } = await keys('hash', '--tenant', 'acme', '--scope', 'read', '--galleries', 'lobby,door');
    expect(code).toBe(0);
    const key = /key:\s+(\S+)/.exec(out)![1]!;
    const record = checkKeyRecord(JSON.parse(/record: (.*)/.exec(out)![1]!));
    expect(record).toEqual({ hash: hashKey(key), tenant: 'acme', scope: 'read', galleries: ['lobby', 'door'] });
    const given = await keys('hash', '--tenant', 'acme', '--key', 'fvq_given');
    expect(given.out).toContain(hashKey('fvq_given'));
  });

  it('create: stores only the hash; list shows it', async () => {
    const db = join(dir, 'k.db');
    const { code, out } = await keys('create', '--tenant', 'acme', '--db', db);
    expect(code).toBe(0);
    const key = out.trim();
    const database = openDatabase(db);
    const store = new SqlKeyStore(betterSqliteDriver(database));
    expect(store.lookup(hashKey(key))).toMatchObject({ tenant: 'acme', scope: 'write' });
    const raw = betterSqliteDriver(database).all('SELECT * FROM api_keys');
    expect(JSON.stringify(raw)).not.toContain(key);
    database.close();
    expect((await keys('list', '--db', db)).out).toContain('acme');
    rmSync(dir, { recursive: true, force: true });
  });

  it('revoke and rotate: a revoked key fails on its next request; a rotated one after its grace', async () => {
    const rdir = mkdtempSync(join(tmpdir(), 'facevq-rotate-'));
    const db = join(rdir, 'k.db');
    const first = (await keys('create', '--tenant', 'acme', '--scope', 'read', '--galleries', 'door', '--db', db)).out.trim();
    const second = (await keys('create', '--tenant', 'acme', '--expires', '30d', '--db', db)).out.trim();
    let now = Date.now();
    const database = openDatabase(db);
    const store = new SqlKeyStore(betterSqliteDriver(database));
    const { registry } = testProfiles();
    const app = createApp({ store: createMemoryStore(), profiles: registry, keys: store, limits: { rate: null }, clock: () => now });
    const status = async (key: string) => (await app.request('/v1/profiles', { headers: { authorization: `Bearer ${key}` } })).status;
    expect([await status(first), await status(second)]).toEqual([200, 200]);
    expect(store.lookup(hashKey(second))!.expiresAt).toBeGreaterThan(now + 29 * 86_400_000);

    const rotated = await keys('rotate', '--id', hashKey(first).slice(0, 12), '--grace', '1h', '--db', db);
    const successor = rotated.out.trim();
    expect(store.lookup(hashKey(successor))).toMatchObject({ tenant: 'acme', scope: 'read', galleries: ['door'] });
    expect(await status(first)).toBe(200); // within the grace period
    now += 2 * 3_600_000;
    expect(await status(first)).toBe(401);
    expect(await status(successor)).toBe(200);

    expect((await keys('revoke', '--id', hashKey(second).slice(0, 8), '--db', db)).code).toBe(0);
    expect(await status(second)).toBe(401);
    const list = (await keys('list', '--db', db)).out;
    expect(list).toContain(`${hashKey(second).slice(0, 12)}  acme  write  *  revoked`);
    expect(list).toContain(`${hashKey(successor).slice(0, 12)}  acme  read  door  expires never`);
    await expect(keys('revoke', '--id', hashKey(second).slice(0, 8), '--db', db)).rejects.toBeInstanceOf(UsageError);
    database.close();
    rmSync(rdir, { recursive: true, force: true });
  });

  it('refuses bad options', async () => {
    await expect(keys('create', '--tenant', 'a/b')).rejects.toBeInstanceOf(UsageError);
    await expect(keys('hash', '--tenant', 'a', '--scope', 'admin')).rejects.toBeInstanceOf(UsageError);
    await expect(keys('rotate')).rejects.toBeInstanceOf(UsageError);
  });
});
