/**
 * `facevq keys`: API keys. `create` adds one to the Node service's database; `hash` makes one for
 * the Worker, printing the key and the record to add to its `FACEVQ_KEYS` secret; `list` shows
 * the database's keys (hash prefixes only: keys themselves are never stored); `revoke` ends one
 * at once; `rotate` makes its successor with the same grants and ends it after a grace period.
 */
import { resolve } from 'node:path';
import { generateKey, hashKey, type KeyRecord, type Scope } from '../worker/auth/keys.js';
import { NAME_PATTERN } from '../worker/names.js';
import type { SqlKeyStore } from '../worker/auth/sql-keys.js';
import { option, parseCommandArgs, type ParsedArgs } from './args.js';
import { UsageError } from './errors.js';
import { parseExpiry, showExpiry } from './expiry.js';
import type { CommandHelp } from './help.js';
import { checkWritableParent } from './inputs.js';

export const help: CommandHelp = {
  usage: [
    'keys create --tenant T [--scope read|write] [--galleries a,b] [--label L] [--expires 90d|DATE] [--db facevq.db]',
    'keys hash   --tenant T [--scope read|write] [--galleries a,b] [--label L] [--expires 90d|DATE] [--key KEY]',
    'keys list   [--db facevq.db]',
    'keys revoke --id HASH_PREFIX [--db facevq.db]',
    'keys rotate --id HASH_PREFIX [--grace 1h] [--db facevq.db]',
  ],
  description: `
create  adds a new key to the Node service's database and prints it (shown only this once)
hash    prints a new key (or hashes --key) and its JSON record for the Worker's FACEVQ_KEYS
        secret; needs no database
list    shows the database's keys (hash prefixes only: keys themselves are never stored) and
        whether each is live, expiring or revoked
revoke  the key (named by the hash prefix \`list\` prints) fails on its next request
rotate  prints a new key with the same tenant, scope and galleries; the old one expires after
        --grace (at once without it)`,
  options: [
    { name: 'tenant', value: 'T', description: 'the tenant the key acts for (create, hash: required)' },
    { name: 'scope', value: 'read|write', description: 'read: identify, verify, list; write: also enroll and delete', default: 'write' },
    { name: 'galleries', value: 'a,b', description: 'limit the key to these galleries', default: 'all of the tenant' },
    { name: 'label', value: 'L', description: 'a note stored with the key' },
    { name: 'expires', value: '90d|DATE', description: 'when the key stops working: a duration (90d, 12h, 30m) or an ISO date', default: 'never' },
    { name: 'id', value: 'HASH_PREFIX', description: 'revoke, rotate: the key, by the hash prefix list prints' },
    { name: 'grace', value: '1h', description: 'rotate: how long the old key keeps working (a duration or an ISO date)', default: '0, revoked at once' },
    { name: 'db', value: 'FILE', description: 'the SQLite file of facevq serve (create, list, revoke, rotate)', default: 'facevq.db' },
    { name: 'key', value: 'KEY', description: 'hash: the key to hash instead of a new one' },
  ],
  examples: [
    'keys create --tenant acme --scope read --expires 90d',
    'keys hash --tenant acme > key.txt',
    'keys list --db facevq.db',
    'keys rotate --id 3f2a9c01b7e4 --grace 1h    # a new key; the old one works for another hour',
  ],
};

/** The key record the options describe, for the hash of `key`. */
async function recordFor(args: ParsedArgs, key: string): Promise<KeyRecord> {
  const tenant = option(args, 'tenant');
  if (tenant === undefined) throw new UsageError('--tenant is required: the tenant the key acts for, e.g. --tenant acme');
  if (!NAME_PATTERN.test(tenant)) throw new UsageError(`--tenant must match ${NAME_PATTERN}`);
  const scope = option(args, 'scope', 'write');
  if (scope !== 'read' && scope !== 'write') throw new UsageError('--scope must be read or write');
  const galleries = option(args, 'galleries')?.split(',').map((g) => g.trim()).filter(Boolean);
  for (const g of galleries ?? []) if (!NAME_PATTERN.test(g)) throw new UsageError(`invalid gallery name ${JSON.stringify(g)}`);
  const label = option(args, 'label');
  const expiresAt = parseExpiry(option(args, 'expires'));
  return { hash: hashKey(key), tenant, scope: scope as Scope, ...(galleries && { galleries }), ...(label && { label }), ...(expiresAt && { expiresAt }) };
}

/**
 * Runs `fn` on the key store of the database `db`. SQLite is loaded only here, so `keys hash`
 * works where better-sqlite3 (an optional dependency) is not installed.
 */
async function withStore<T>(db: string, fn: (store: SqlKeyStore) => T): Promise<T> {
  checkWritableParent(db, '--db');
  const [{ SqlKeyStore }, { betterSqliteDriver, openDatabase }] = await Promise.all([import('../worker/auth/sql-keys.js'), import('../worker/store/sqlite-node.js')]);
  const database = openDatabase(db);
  try {
    return fn(new SqlKeyStore(betterSqliteDriver(database)));
  } finally {
    database.close();
  }
}

/** The live key `--id` names. */
function findKey(store: SqlKeyStore, args: ParsedArgs): KeyRecord {
  const id = option(args, 'id');
  if (id === undefined) throw new UsageError('--id is required: the key\'s hash prefix, as `facevq keys list` prints it');
  try {
    return store.find(id);
  } catch (e) {
    throw new UsageError(`--id: ${(e as Error).message}`);
  }
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('which keys command: create, hash, list, revoke or rotate?');
  const args = parseCommandArgs(rest, help);
  const db = resolve(option(args, 'db', 'facevq.db')!);
  switch (command) {
    case 'create': {
      const key = generateKey();
      const record = await recordFor(args, key);
      await withStore(db, (store) => store.add(record));
      process.stdout.write(`${key}\n`);
      process.stderr.write(`added a ${record.scope} key for tenant "${record.tenant}" to ${db}; it is shown only this once\n`);
      return 0;
    }
    case 'revoke': {
      const old = await withStore(db, (store) => {
        const found = findKey(store, args);
        store.revoke(found.hash);
        return found;
      });
      process.stderr.write(`revoked key ${old.hash.slice(0, 12)}… of tenant "${old.tenant}"; its next request fails\n`);
      return 0;
    }
    case 'rotate': {
      const key = generateKey();
      const grace = parseExpiry(option(args, 'grace'));
      const old = await withStore(db, (store) => {
        const found = findKey(store, args);
        const { hash: _, expiresAt: __, ...grants } = found;
        store.add({ ...grants, hash: hashKey(key) });
        if (grace === undefined) store.revoke(found.hash);
        else store.expire(found.hash, grace);
        return found;
      });
      process.stdout.write(`${key}\n`);
      process.stderr.write(`new key for tenant "${old.tenant}" (shown only this once); the old key ${old.hash.slice(0, 12)}… ${grace === undefined ? 'is revoked' : `expires ${showExpiry(grace)}`}\n`);
      return 0;
    }
    case 'hash': {
      const key = option(args, 'key') ?? generateKey();
      const record = await recordFor(args, key);
      process.stdout.write(`key:    ${key}\nrecord: ${JSON.stringify(record)}\n`);
      process.stderr.write('add the record to the JSON array of the Worker secret: npx wrangler secret put FACEVQ_KEYS\n');
      return 0;
    }
    case 'list':
      await withStore(db, (store) => {
        for (const r of store.list()) {
          const state = r.revokedAt !== null ? `revoked ${showExpiry(r.revokedAt)}` : `expires ${showExpiry(r.expiresAt)}`;
          process.stdout.write(`${r.hash.slice(0, 12)}  ${r.tenant}  ${r.scope}  ${r.galleries?.join(',') ?? '*'}  ${state}  ${r.label ?? ''}\n`);
        }
      });
      return 0;
    default:
      throw new UsageError(`unknown keys command ${JSON.stringify(command)}: create, hash, list, revoke or rotate`);
  }
}
