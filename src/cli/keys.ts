/**
 * `facevq keys`: API keys. `create` adds one to the Node service's database; `hash` makes one for
 * the Worker, printing the key and the record to add to its `FACEVQ_KEYS` secret; `list` shows
 * the database's keys (hash prefixes only: keys themselves are never stored).
 */
import { resolve } from 'node:path';
import { SqlKeyStore } from '../worker/auth/sql-keys.js';
import { generateKey, hashKey, type KeyRecord, type Scope } from '../worker/auth/keys.js';
import { NAME_PATTERN } from '../worker/names.js';
import { betterSqliteDriver, openDatabase } from '../worker/store/sqlite-node.js';
import { option, parseArgs, UsageError, type ParsedArgs } from './args.js';

const USAGE = `usage:
  facevq keys create --tenant T [--scope read|write] [--galleries a,b] [--label L] [--db facevq.db]
  facevq keys hash   --tenant T [--scope read|write] [--galleries a,b] [--label L] [--key KEY]
  facevq keys list   [--db facevq.db]

create  adds a new key to the Node service's database and prints it (shown only once)
hash    prints a new key (or hashes --key) and its JSON record for the Worker's FACEVQ_KEYS secret
`;

/** The key record the options describe, for the hash of `key`. */
async function recordFor(args: ParsedArgs, key: string): Promise<KeyRecord> {
  const tenant = option(args, 'tenant');
  if (!tenant || !NAME_PATTERN.test(tenant)) throw new UsageError(`--tenant must match ${NAME_PATTERN}`);
  const scope = option(args, 'scope', 'write');
  if (scope !== 'read' && scope !== 'write') throw new UsageError('--scope must be read or write');
  const galleries = option(args, 'galleries')?.split(',').map((g) => g.trim()).filter(Boolean);
  for (const g of galleries ?? []) if (!NAME_PATTERN.test(g)) throw new UsageError(`invalid gallery name ${JSON.stringify(g)}`);
  const label = option(args, 'label');
  return { hash: hashKey(key), tenant, scope: scope as Scope, ...(galleries && { galleries }), ...(label && { label }) };
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const args = parseArgs(rest, ['tenant', 'scope', 'galleries', 'label', 'db', 'key'], ['help']);
  if (args.flags.has('help') || command === undefined || command === '--help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const db = resolve(option(args, 'db', 'facevq.db')!);
  switch (command) {
    case 'create': {
      const key = generateKey();
      const record = await recordFor(args, key);
      const database = openDatabase(db);
      try {
        new SqlKeyStore(betterSqliteDriver(database)).add(record);
      } finally {
        database.close();
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
      const database = openDatabase(db);
      try {
        const driver = betterSqliteDriver(database);
        new SqlKeyStore(driver); // creates the table on a new database
        const rows = driver.all('SELECT hash, tenant, scope, galleries, label, created_at FROM api_keys ORDER BY created_at');
        for (const r of rows) {
          process.stdout.write(`${String(r.hash).slice(0, 12)}…  ${r.tenant}  ${r.scope}  ${r.galleries ?? '*'}  ${r.label ?? ''}\n`);
        }
      } finally {
        database.close();
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown keys command ${JSON.stringify(command)}\n${USAGE}`);
  }
}
