/**
 * `facevq serve`: the matcher service on Node with its embedded defaults: a SQLite file for
 * galleries and keys, the shipped profiles, and a first write key handed over once on an empty
 * database (on the terminal, or in a mode-0600 file when stdout is not one: `first-key.ts`).
 * SIGINT or SIGTERM shuts it down cleanly: it stops accepting connections, answers the requests in
 * flight, then closes the database; a second signal exits at once.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rateLimits } from '../worker/config.js';
import { integerOption, numberOption, option, parseCommandArgs } from './args.js';
import { CliError, UsageError } from './errors.js';
import { handOverFirstKey } from './first-key.js';
import type { CommandHelp } from './help.js';
import { checkWritableParent } from './inputs.js';
import { packageDir } from './package-dir.js';

export const help: CommandHelp = {
  usage: ['serve [--port 8787] [--host 127.0.0.1] [--db facevq.db] [--profiles DIR] [--rate N]'],
  description: `
Runs the matcher service (the HTTP API of src/worker/README.md) on Node, with galleries and API
keys in one SQLite file, and the demo page at /demo/. On a new database it creates a first write
key (tenant "default") and hands it over once: on the terminal, or, when stdout is not one, in
DB.first-key (mode 0600; read it, store it, delete the file). Ctrl-C or SIGTERM stops it
cleanly: requests in flight are answered first.`,
  options: [
    { name: 'port', value: 'N', description: 'TCP port, 0 for any free port', default: '8787' },
    { name: 'host', value: 'ADDR', description: 'address to listen on (0.0.0.0: every interface)', default: '127.0.0.1' },
    { name: 'db', value: 'FILE', description: 'SQLite file for galleries and keys, created if absent', default: 'facevq.db' },
    { name: 'profiles', value: 'DIR', description: 'folder of .fvqp profiles', default: "the package's models/" },
    { name: 'rate', value: 'N', description: 'requests per second per key, burst 2N (per tenant and per client address: 2N, burst 4N); 0 turns limits off', default: '100' },
  ],
  examples: ['serve', 'serve --port 0 --db /var/lib/facevq/faces.db', 'serve --host 0.0.0.0 --rate 0'],
};

/** Resolves on the first SIGINT or SIGTERM; a second one exits the process at once. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first).off('SIGTERM', first);
      const force = () => process.exit(130);
      process.once('SIGINT', force).once('SIGTERM', force);
      done(signal);
    };
    process.on('SIGINT', first).on('SIGTERM', first);
  });
}

/** Runs the command; returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, help);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const port = integerOption(args, 'port', 8787, 0, 65535);
  const host = option(args, 'host', '127.0.0.1')!;
  const db = resolve(option(args, 'db', 'facevq.db')!);
  const root = packageDir();
  const profilesDir = resolve(option(args, 'profiles') ?? (root === undefined ? 'models' : join(root, 'models')));
  const rate = numberOption(args, 'rate', 100);
  if (rate < 0) throw new UsageError('--rate must be 0 (off) or more');
  if (!existsSync(profilesDir) || !readdirSync(profilesDir).some((f) => f.endsWith('.fvqp'))) {
    throw new CliError('E_NO_PROFILES', `no .fvqp profiles in ${profilesDir} (pass --profiles DIR)`);
  }
  checkWritableParent(db, '--db');

  const { createNodeService, listen } = await import('../worker/adapter/node.js');
  const isNew = !existsSync(db);
  const service = createNodeService(db, profilesDir, rateLimits(rate > 0 ? { perSecond: rate, burst: 2 * rate } : null));
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(service.app, port, host);
  } catch (error) {
    await service.close();
    // A database this run created and never used is not left behind.
    if (isNew) for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(code, `port ${port} on ${host} is in use: stop the other server or pick another with --port`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(code, `cannot listen on ${host}: no such local address`);
    throw error;
  }
  if (service.keys.count() === 0) {
    const { generateKey, hashKey } = await import('../worker/auth/keys.js');
    const key = generateKey();
    service.keys.add({ hash: hashKey(key), tenant: 'default', scope: 'write', label: 'first key, created by facevq serve' });
    process.stdout.write(handOverFirstKey(key, db));
  }
  process.stdout.write(`facevq serving on ${server.url} (database ${db}, profiles ${profilesDir}); Ctrl-C stops it\n`);

  const signal = await untilSignal();
  process.stdout.write(`facevq: ${signal}: stopping (answering requests in flight)\n`);
  await server.close();
  await service.close();
  process.stdout.write('facevq: stopped\n');
  return 0;
}
