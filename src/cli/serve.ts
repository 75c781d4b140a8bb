/**
 * `facevq serve`: the matcher service on Node with its embedded defaults: a SQLite file for
 * galleries and keys, the shipped profiles, and a first write key handed over once on an empty
 * database (on the terminal, or in a mode-0600 file when stdout is not one: `first-key.ts`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeService, listen } from '../worker/adapter/node.js';
import { generateKey, hashKey } from '../worker/auth/keys.js';
import { rateLimits } from '../worker/config.js';
import { numberOption, option, parseArgs, UsageError } from './args.js';
import { handOverFirstKey } from './first-key.js';

const USAGE = `usage: facevq serve [--port 8787] [--host 127.0.0.1] [--db facevq.db] [--profiles DIR] [--rate N]

  --port      TCP port (0: any free port)                        default 8787
  --host      address to listen on                               default 127.0.0.1
  --db        SQLite file for galleries and keys (created)       default facevq.db
  --profiles  folder of .fvqp profiles                           default the package's models/
  --rate      requests per second per key (burst 2N; per tenant and per client address 2N, burst 4N; 0: off)  default 100
`;

/** The package's `models/` folder, found by walking up from this file to `package.json`. */
export function packageModelsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'facevq') return join(dir, 'models');
    const up = dirname(dir);
    if (up === dir) throw new UsageError('cannot find the facevq package folder; pass --profiles DIR');
    dir = up;
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['port', 'host', 'db', 'profiles', 'rate'], ['help']);
  if (args.flags.has('help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = numberOption(args, 'port', 8787);
  const host = option(args, 'host', '127.0.0.1')!;
  const db = resolve(option(args, 'db', 'facevq.db')!);
  const profilesDir = resolve(option(args, 'profiles') ?? packageModelsDir());
  const rate = numberOption(args, 'rate', 100);
  if (!existsSync(profilesDir) || !readdirSync(profilesDir).some((f) => f.endsWith('.fvqp'))) {
    throw new UsageError(`no .fvqp profiles in ${profilesDir}`);
  }

  const service = createNodeService(db, profilesDir, rateLimits(rate > 0 ? { perSecond: rate, burst: 2 * rate } : null));
  if (service.keys.count() === 0) {
    const key = generateKey();
    service.keys.add({ hash: hashKey(key), tenant: 'default', scope: 'write', label: 'first key, created by facevq serve' });
    process.stdout.write(handOverFirstKey(key, db));
  }
  const server = await listen(service.app, port, host);
  process.stdout.write(`facevq serving on ${server.url} (database ${db}, profiles ${profilesDir})\n`);

  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  service.close();
  return 0;
}
