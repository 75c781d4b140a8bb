/**
 * `facevq keys`: API keys. `create` adds one to the Node service's database; `hash` makes one for
 * the Worker, printing the key and the record to add to its `FACEVQ_KEYS` secret; `list` shows
 * the database's keys (hash prefixes only: keys themselves are never stored).
 */
import { resolve } from 'node:path';
import { generateKey, hashKey, type KeyRecord, type Scope } from '../worker/auth/keys.js';
import { NAME_PATTERN } from '../worker/names.js';
import { option, parseCommandArgs, type ParsedArgs } from './args.js';
import { UsageError } from './errors.js';
import type { CommandHelp } from './help.js';
import { checkWritableParent } from './inputs.js';

export const help: CommandHelp = {
  usage: [
    'keys create --tenant T [--scope read|write] [--galleries a,b] [--label L] [--db facevq.db]',
    'keys hash   --tenant T [--scope read|write] [--galleries a,b] [--label L] [--key KEY]',
    'keys list   [--db facevq.db]',
  ],
  description: `
create  adds a new key to the Node service's database and prints it (shown only this once)
hash    prints a new key (or hashes --key) and its JSON record for the Worker's FACEVQ_KEYS
        secret; needs no database
list    shows the database's keys (hash prefixes only: keys themselves are never stored)`,
  options: [
    { name: 'tenant', value: 'T', description: 'the tenant the key acts for (create, hash: required)' },
    { name: 'scope', value: 'read|write', description: 'read: identify, verify, list; write: also enroll and delete', default: 'write' },
    { name: 'galleries', value: 'a,b', description: 'limit the key to these galleries', default: 'all of the tenant' },
    { name: 'label', value: 'L', description: 'a note stored with the key' },
    { name: 'db', value: 'FILE', description: 'the SQLite file of facevq serve (create, list)', default: 'facevq.db' },
    { name: 'key', value: 'KEY', description: 'hash: the key to hash instead of a new one' },
  ],
  examples: ['keys create --tenant acme --scope read', 'keys hash --tenant acme > key.txt', 'keys list --db facevq.db'],
};

/** The SQLite store of the Node service, loaded only by the commands that use it. */
async function openKeyStore(db: string) {
  checkWritableParent(db, '--db');
  const [{ SqlKeyStore }, { betterSqliteDriver, openDatabase }] = await Promise.all([import('../worker/auth/sql-keys.js'), import('../worker/store/sqlite-node.js')]);
  const database = openDatabase(db);
  const driver = betterSqliteDriver(database);
  return { driver, store: new SqlKeyStore(driver), close: () => database.close() };
}

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
  return { hash: hashKey(key), tenant, scope: scope as Scope, ...(galleries && { galleries }), ...(label && { label }) };
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('which keys command: create, hash or list?');
  const args = parseCommandArgs(rest, help);
  const db = resolve(option(args, 'db', 'facevq.db')!);
  switch (command) {
    case 'create': {
      const key = generateKey();
      const record = await recordFor(args, key);
      const keys = await openKeyStore(db);
      try {
        keys.store.add(record);
      } finally {
        keys.close();
      }
      process.stdout.write(`${key}\n`);
      process.stderr.write(`added a ${record.scope} key for tenant "${record.tenant}" to ${db}; it is shown only this once\n`);
      return 0;
    }
    case 'hash': {
      const key = option(args, 'key') ?? generateKey();
      const record = await recordFor(args, key);
      process.stdout.write(`key:    ${key}\nrecord: ${JSON.stringify(record)}\n`);
      process.stderr.write('add the record to the JSON array of the Worker secret: npx wrangler secret put FACEVQ_KEYS\n');
      return 0;
    }
    case 'list': {
      const keys = await openKeyStore(db);
      try {
        const rows = keys.driver.all('SELECT hash, tenant, scope, galleries, label, created_at FROM api_keys ORDER BY created_at');
        for (const r of rows) {
          process.stdout.write(`${String(r.hash).slice(0, 12)}…  ${r.tenant}  ${r.scope}  ${r.galleries ?? '*'}  ${r.label ?? ''}\n`);
        }
      } finally {
        keys.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown keys command ${JSON.stringify(command)}: create, hash or list`);
  }
}
