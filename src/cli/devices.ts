/**
 * `facevq devices`: the keys devices sign payloads with (spec §13) and which galleries require
 * them. On Node, keys live in the service's database (a salt per key; the master key in the file
 * `DB.device-master`, mode 0600); for the Worker, `record` prints a key and its record for the
 * `FACEVQ_DEVICES` secret. A key is printed once, when it is made.
 */
import { resolve } from 'node:path';
import { deviceJson, KEY_ID_PATTERN, toHex, type DeviceKey } from '../worker/auth/devices.js';
import type { SqlDeviceRegistry } from '../worker/auth/sql-devices.js';
import { masterFileOf, readMaster } from '../worker/adapter/device-master.js';
import { NAME_PATTERN } from '../worker/names.js';
import { option, parseCommandArgs, type ParsedArgs } from './args.js';
import { UsageError } from './errors.js';
import { parseExpiry, showExpiry } from './expiry.js';
import type { CommandHelp } from './help.js';
import { checkWritableParent } from './inputs.js';

export const help: CommandHelp = {
  usage: [
    'devices add      --tenant T [--galleries a,b] [--label L] [--expires 90d|DATE] [--db facevq.db]',
    'devices list     [--db facevq.db]',
    'devices revoke   --tenant T --key-id HEX [--db facevq.db]',
    "devices require  --tenant T --gallery G|'*' [--db facevq.db]",
    "devices optional --tenant T --gallery G|'*' [--db facevq.db]",
    'devices record   --tenant T --key-id HEX [--galleries a,b] [--expires 90d|DATE]',
  ],
  description: `
add       makes a key for a device, with the tenant's next key id, and prints both (the key
          only once); the database's master key is DB.device-master (mode 0600)
list      shows the device keys and the galleries that require signed payloads
revoke    the key's next payload fails with E_AUTH_TAG
require   the gallery (or every gallery of the tenant: '*') accepts only signed payloads
optional  back to accepting unsigned payloads too (signed ones are still checked)
record    for the Worker: a new key and its JSON record for the FACEVQ_DEVICES secret; needs
          no database`,
  options: [
    { name: 'tenant', value: 'T', description: 'the tenant the device belongs to (all but list: required)' },
    { name: 'galleries', value: 'a,b', description: 'add, record: limit the key to these galleries', default: 'all of the tenant' },
    { name: 'gallery', value: "G|'*'", description: "require, optional: one gallery, or '*' for all of the tenant's" },
    { name: 'key-id', value: 'HEX', description: 'revoke, record: the key id, 1 to 8 bytes of hex (add picks the next one)' },
    { name: 'label', value: 'L', description: 'add: a note stored with the key' },
    { name: 'expires', value: '90d|DATE', description: 'when the key stops working: a duration (90d, 12h, 30m) or an ISO date', default: 'never' },
    { name: 'db', value: 'FILE', description: 'the SQLite file of facevq serve (all but record)', default: 'facevq.db' },
  ],
  examples: [
    'devices add --tenant acme --galleries door --label "front door"',
    'devices require --tenant acme --gallery door    # door accepts only signed payloads',
    'encode photo.jpg --sign 01:KEY                  # a payload signed with key 01',
  ],
};

function tenantOf(args: ParsedArgs): string {
  const tenant = option(args, 'tenant');
  if (tenant === undefined) throw new UsageError('--tenant is required: the tenant the device belongs to, e.g. --tenant acme');
  if (!NAME_PATTERN.test(tenant)) throw new UsageError(`--tenant must match ${NAME_PATTERN}`);
  return tenant;
}

function keyIdOf(args: ParsedArgs): string {
  const keyId = option(args, 'key-id')?.toLowerCase();
  if (!keyId || !KEY_ID_PATTERN.test(keyId)) throw new UsageError('--key-id must be 1..8 bytes of hex, e.g. 01');
  return keyId;
}

function galleriesOf(args: ParsedArgs): string[] | undefined {
  const galleries = option(args, 'galleries')?.split(',').map((g) => g.trim()).filter(Boolean);
  for (const g of galleries ?? []) if (!NAME_PATTERN.test(g)) throw new UsageError(`invalid gallery name ${JSON.stringify(g)}`);
  return galleries;
}

/**
 * Runs `fn` on the database's registry, creating the master key when `createMaster`. SQLite is
 * loaded only here: `record` works where better-sqlite3 (an optional dependency) is not installed.
 */
async function withRegistry<T>(args: ParsedArgs, createMaster: boolean, fn: (r: SqlDeviceRegistry, db: string) => T | Promise<T>): Promise<T> {
  const db = resolve(option(args, 'db', 'facevq.db')!);
  checkWritableParent(db, '--db');
  const [{ SqlDeviceRegistry }, { betterSqliteDriver, openDatabase }] = await Promise.all([import('../worker/auth/sql-devices.js'), import('../worker/store/sqlite-node.js')]);
  const database = openDatabase(db);
  try {
    return await fn(new SqlDeviceRegistry(betterSqliteDriver(database), readMaster(masterFileOf(db), createMaster)), db);
  } finally {
    database.close();
  }
}

/** Prints a new key: its id and secret on stdout, how to use it on stderr. */
function printKey(key: DeviceKey, where: string): void {
  process.stdout.write(`key id: ${key.keyId}\nkey:    ${toHex(key.secret)}\n`);
  process.stderr.write(
    `${where}; the key is shown only this once. The device signs with it: ` +
      `SDK sign: { keyId, key }, \`facevq encode --sign ${key.keyId}:KEY\`, or fvq_sign() in examples/c\n`,
  );
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('which devices command: add, list, revoke, require, optional or record?');
  const args = parseCommandArgs(rest, help);
  switch (command) {
    case 'add': {
      const tenant = tenantOf(args);
      const galleries = galleriesOf(args), label = option(args, 'label'), expiresAt = parseExpiry(option(args, 'expires'));
      return withRegistry(args, true, async (registry, db) => {
        const key = await registry.add(tenant, { ...(galleries && { galleries }), ...(label && { label }), ...(expiresAt && { expiresAt }) });
        printKey(key, `added device key ${key.keyId} for tenant "${tenant}" to ${db} (master key: ${masterFileOf(db)})`);
        return 0;
      });
    }
    case 'list':
      return withRegistry(args, false, (registry) => {
        for (const d of registry.list()) {
          const state = d.revokedAt !== null ? `revoked ${new Date(d.revokedAt).toISOString()}` : `expires ${showExpiry(d.expiresAt)}`;
          process.stdout.write(`${d.tenant}  ${d.keyId}  ${d.galleries?.join(',') ?? '*'}  ${state}  ${d.label ?? ''}\n`);
        }
        for (const rule of registry.rules()) process.stdout.write(`signed payloads required: ${rule}\n`);
        return 0;
      });
    case 'revoke': {
      const [tenant, keyId] = [tenantOf(args), keyIdOf(args)];
      return withRegistry(args, false, (registry) => {
        if (!registry.revoke(tenant, keyId)) throw new UsageError(`no live device key ${keyId} of tenant "${tenant}"`);
        process.stderr.write(`revoked device key ${keyId} of tenant "${tenant}"\n`);
        return 0;
      });
    }
    case 'require':
    case 'optional': {
      const tenant = tenantOf(args);
      const gallery = option(args, 'gallery');
      if (!gallery || (gallery !== '*' && !NAME_PATTERN.test(gallery))) throw new UsageError(`--gallery must be a gallery name or '*'`);
      return withRegistry(args, false, (registry) => {
        registry.setPolicy(tenant, gallery, command === 'require' ? 'required' : 'optional');
        process.stderr.write(`gallery ${tenant}/${gallery}: signed payloads ${command === 'require' ? 'required' : 'optional'}\n`);
        return 0;
      });
    }
    case 'record': {
      const galleries = galleriesOf(args), expiresAt = parseExpiry(option(args, 'expires'));
      const key: DeviceKey = {
        tenant: tenantOf(args), keyId: keyIdOf(args), secret: crypto.getRandomValues(new Uint8Array(32)),
        ...(galleries && { galleries }), ...(expiresAt && { expiresAt }),
      };
      process.stdout.write(`record: ${JSON.stringify(deviceJson(key))}\n`);
      printKey(key, 'add the record to the JSON array of the Worker secret (npx wrangler secret put FACEVQ_DEVICES); revoke by removing it');
      return 0;
    }
    default:
      throw new UsageError(`unknown devices command ${JSON.stringify(command)}: add, list, revoke, require, optional or record`);
  }
}
