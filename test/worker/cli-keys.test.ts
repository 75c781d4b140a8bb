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

  it('refuses bad options', async () => {
    await expect(keys('create', '--tenant', 'a/b')).rejects.toBeInstanceOf(UsageError);
    await expect(keys('hash', '--tenant', 'a', '--scope', 'admin')).rejects.toBeInstanceOf(UsageError);
    await expect(keys('rotate')).rejects.toBeInstanceOf(UsageError);
  });
});
