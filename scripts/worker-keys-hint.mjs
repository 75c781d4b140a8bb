// Run by `npm run dev:worker` before wrangler starts: a Worker cannot speak at start-up (it sees
// its secrets only per request), so this says here when wrangler dev will have no API keys.
import { existsSync, readFileSync } from 'node:fs';

const devVars = existsSync('.dev.vars') ? readFileSync('.dev.vars', 'utf8') : '';
const configured = /^\s*FACEVQ_KEYS\s*=\s*['"]?\s*\[\s*\{/m.test(devVars) || /^\s*\[\s*\{/.test(process.env.FACEVQ_KEYS ?? '');
if (!configured) {
  process.stderr.write(
    'facevq: no API keys configured for wrangler dev (no FACEVQ_KEYS in .dev.vars), so every /v1 call will answer 401.\n' +
      '  add one: npx tsx src/cli/main.ts keys hash --tenant dev    (prints the key and its record)\n' +
      "  then:    echo \"FACEVQ_KEYS='[RECORD]'\" >> .dev.vars          (and restart npm run dev:worker)\n",
  );
}
