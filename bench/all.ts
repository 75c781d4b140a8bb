/**
 * `npm run bench [-- --json] [--report-only] [--only codec,encoder,server]`
 *
 * Runs the three benches (bench/codec.ts, bench/encoder.ts, bench/server.ts), each in its own
 * process with `--json`: their tables stream to stderr as they run, their JSON reports are
 * collected from stdout. Every bench runs even when an earlier one misses a target. Then:
 * - `--json`: one JSON document on stdout, `{ ok, missed, benches: { codec, encoder, server } }`
 *   (a bench that crashed is `{ error }`);
 * - otherwise a PASS/FAIL line per target.
 * The exit status is 1 when a target is missed or a bench fails, unless `--report-only`.
 */
import { spawn } from 'node:child_process';
import { missedTargets, type BenchReport } from './targets.js';

const BENCHES = ['codec', 'encoder', 'server'] as const;

/** Runs `bench/NAME.ts --json` under the same Node and tsx; resolves with its parsed report. */
function runBench(name: string): Promise<BenchReport> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, new URL(`${name}.ts`, import.meta.url).pathname, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        const report = JSON.parse(last) as BenchReport;
        resolve(code === 0 ? report : { ...report, error: `exited with ${code}` });
      } catch {
        resolve({ error: `exited with ${signal ?? code} and no JSON report` });
      }
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const known = ['--json', '--report-only', '--only'];
  const unknown = argv.find((a, i) => a.startsWith('--') && !known.includes(a) && argv[i - 1] !== '--only');
  if (unknown) {
    process.stderr.write(`bench: unknown option ${unknown} (use --json, --report-only, --only ${BENCHES.join(',')})\n`);
    return 2;
  }
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.split(',') ?? [] : [...BENCHES];
  const strange = only.filter((b) => !(BENCHES as readonly string[]).includes(b));
  if (only.length === 0 || strange.length > 0) {
    process.stderr.write(`bench: --only takes some of ${BENCHES.join(',')}${strange.length ? `, not ${strange.join(',')}` : ''}\n`);
    return 2;
  }
  const benches: Record<string, BenchReport> = {};
  for (const name of BENCHES.filter((b) => only.includes(b))) {
    process.stderr.write(`\n=== bench:${name}\n`);
    benches[name] = await runBench(name);
  }
  const missed = Object.entries(benches).flatMap(([name, report]) => missedTargets(report).map((t) => `${name}: ${t}`));
  const ok = missed.length === 0;
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ ok, missed, benches })}\n`);
  } else {
    process.stdout.write(`\n${ok ? 'every target met' : `${missed.length} missed:\n${missed.map((m) => `  FAIL ${m}`).join('\n')}`}\n`);
  }
  return ok || argv.includes('--report-only') ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
