/**
 * The conformance suite end to end: the built-in codec and the independent C implementation
 * (examples/c) pass every vector; a broken adapter is reported, never hangs the run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './_cli.js';
import { makeRng, type Rng } from '../src/codec/_testing.js';
import { builtinImplementation, formatReport, fromHex, loadVectors, runVectors, startAdapter, toHex, type Implementation, type Request } from '../src/conformance/index.js';
import { run } from '../src/cli/conformance.js';

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, 'spec/vectors');
const C_DIR = path.join(ROOT, 'examples/c');
const cases = loadVectors(DIR);
const hasCc = spawnSync('cc', ['--version']).status === 0;
const TWIN = path.join(DIR, 'profiles/tiny-twin.fvqp'); // id 1 and tiny's tag, another hash
const BROKEN = (behaviour: string) => `node ${JSON.stringify(path.join(__dirname, 'fixtures/broken-adapter.mjs'))} ${behaviour}`;

/** 1 to 4 random edits: flip a bit, set a byte, insert, delete, or cut the tail. */
function mutate(bytes: Uint8Array, rng: Rng): Uint8Array {
  const b = Array.from(bytes);
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const op = rng.int(5), at = rng.int(b.length + 1);
    if (op === 0 && at < b.length) b[at] = b[at]! ^ (1 << rng.int(8));
    else if (op === 1 && at < b.length) b[at] = rng.int(256);
    else if (op === 2) b.splice(at, 0, rng.int(256));
    else if (op === 3 && at < b.length) b.splice(at, 1);
    else if (op === 4) b.length = at;
  }
  return Uint8Array.from(b);
}

async function runWith(impl: Implementation, subset = cases, knownFailures?: Set<string>) {
  try {
    return await runVectors(subset, { decoder: impl, encoder: impl, ...(knownFailures && { knownFailures }) });
  } finally {
    await impl.close();
  }
}

describe('conformance: built-in codec', () => {
  it('passes every vector', async () => {
    const report = await runWith(builtinImplementation());
    expect(report.failed, formatReport(report)).toBe(0);
    expect(report.passed).toBe(cases.length);
  });
});

describe.skipIf(!hasCc)('conformance: the C implementation in examples/c', () => {
  let sanitizer = true;
  beforeAll(() => {
    execFileSync('make', ['-s', '-C', C_DIR], { stdio: 'pipe' });
    // AddressSanitizer and UBSan need their runtime libraries; without them only that test skips.
    sanitizer = spawnSync('make', ['-s', '-C', C_DIR, 'SANITIZE=1'], { stdio: 'pipe' }).status === 0;
  }, 120_000);

  it('passes every vector, decoding and encoding', async () => {
    const report = await runWith(startAdapter(JSON.stringify(path.join(C_DIR, 'build/conformance_adapter'))));
    expect(report.failed, formatReport(report)).toBe(0);
    expect(report.passed).toBe(cases.length);
  });

  it('passes its known-answer tests (CRC-8, SHA-256)', () => {
    expect(spawnSync(path.join(C_DIR, 'build/selftest')).status).toBe(0);
  });

  it('answers 2000 mutated vector inputs exactly as the built-in codec does', async () => {
    const rng = makeRng(20240601);
    const pool = cases.filter((c) => c.case.hex !== undefined && c.case.hex.length < 20_000);
    const c = startAdapter(JSON.stringify(path.join(C_DIR, 'build/conformance_adapter')));
    const builtin = builtinImplementation();
    try {
      for (let i = 0; i < 2000; i++) {
        const v = pool[rng.int(pool.length)]!;
        const hex = toHex(mutate(fromHex(v.case.hex!), rng));
        const profile = v.profilePaths.length > 1 ? v.profilePaths : v.profilePaths[0]!;
        const req: Request = v.kind === 'payload' ? { op: 'decode', profile, hex } : v.kind === 'profile' ? { op: 'profile', hex } : { op: 'batch', profile, hex };
        expect(await c.request(req), `${v.id} mutated: ${hex.slice(0, 120)}`).toEqual(await builtin.request(req));
      }
    } finally {
      await c.close();
    }
  });

  it('refuses two different profiles with one id (§2.2) with an error outside §9', async () => {
    const twice = cases.find((c) => c.id === 'optional/payload/same-profile-twice#0')!;
    const c = startAdapter(JSON.stringify(path.join(C_DIR, 'build/conformance_adapter')));
    try {
      const answer = await c.request({ op: 'decode', profile: [twice.profilePaths[0]!, TWIN], hex: twice.case.hex! });
      expect(answer).toMatchObject({ ok: false, error: expect.stringMatching(/^bad request: two different profiles with one id/) });
    } finally {
      await c.close();
    }
  });

  it('passes every vector built with -fsanitize=address,undefined', async (ctx) => {
    if (!sanitizer) ctx.skip();
    const report = await runWith(startAdapter(JSON.stringify(path.join(C_DIR, 'build-san/conformance_adapter')), { timeoutMs: 30_000 }));
    expect(report.failed, formatReport(report)).toBe(0);
  });
});
if (!hasCc) console.warn('conformance.test.ts: no `cc` on PATH, so the C implementation (examples/c) was not built or tested');

describe('conformance: a broken adapter is reported', () => {
  const subset = cases.filter((c) => c.id.startsWith('payload/mode1#')).slice(0, 4);

  it('reports wrong answers with expected and actual', async () => {
    const report = await runWith(startAdapter(BROKEN('wrong')), subset);
    expect(report.failed).toBe(subset.length);
    expect(report.unexpected).toBe(subset.length);
    const text = formatReport(report);
    expect(text).toMatch(/^FAIL payload\/mode1#0 \[decode\]/m);
    expect(text).toMatch(/expected: \{"ok":true,"mode":1,"grid":\[0,0,0,0\]/);
    expect(text.split('\n').at(-1)).toBe(`0 passed, ${subset.length} failed`);
  });

  it('reports a crash, restarts the adapter and carries on', async () => {
    const report = await runWith(startAdapter(BROKEN('crash')), subset);
    const actual = report.results.flatMap((r) => r.failures.map((f) => String(f.actual)));
    expect(actual.some((a) => /adapter exited with code 3.*crashing on purpose/.test(a))).toBe(true);
    expect(report.results).toHaveLength(subset.length);
  });

  it('reports a hang after the timeout instead of hanging', async () => {
    const report = await runWith(startAdapter(BROKEN('hang'), { timeoutMs: 500 }), subset);
    const actual = report.results.flatMap((r) => r.failures.map((f) => String(f.actual)));
    expect(actual.some((a) => /no answer within 500 ms/.test(a))).toBe(true);
    expect(report.results).toHaveLength(subset.length);
  });

  it('reports an answer that is not JSON', async () => {
    const report = await runWith(startAdapter(BROKEN('garbage')), subset);
    expect(String(report.results[0]!.failures[0]!.actual)).toMatch(/answer is not JSON/);
  });

  it('gives up on a command that cannot run, without hanging', async () => {
    const report = await runWith(startAdapter('exit 127'), subset);
    expect(report.failed).toBe(subset.length);
    expect(String(report.results.at(-1)!.failures[0]!.actual)).toMatch(/died 3 times in a row/);
  });

  it('fails the case, not the run, when the implementation throws', async () => {
    const builtin = builtinImplementation();
    let calls = 0;
    const throwsOnce: Implementation = {
      name: 'throws once',
      request: async (req) => {
        if (calls++ === 0) throw new TypeError('on purpose');
        return builtin.request(req);
      },
      close: async () => {},
    };
    const report = await runWith(throwsOnce, subset);
    expect(report.results).toHaveLength(subset.length);
    expect(String(report.results[0]!.failures[0]!.actual)).toBe('implementation threw: TypeError: on purpose');
    expect(report.passed).toBe(subset.length - 1);
  });

  it('fails each case that names two different profiles with one id (§2.2), and carries on', async () => {
    const clash = cases.filter((c) => c.id.startsWith('optional/payload/same-profile-twice#')).map((c) => ({ ...c, profilePaths: [c.profilePaths[0]!, TWIN] }));
    const report = await runWith(builtinImplementation(), clash);
    expect(report.results).toHaveLength(clash.length);
    expect(report.failed).toBe(clash.length);
    expect(String(report.results[0]!.failures[0]!.actual)).toMatch(/^implementation threw: RangeError: ProfileSet: id 1 is taken/);
  });

  it('treats known failures as non-fatal', async () => {
    const known = new Set(subset.map((c) => c.id));
    const report = await runWith(startAdapter(BROKEN('wrong')), subset, known);
    expect(report.failed).toBe(subset.length);
    expect(report.unexpected).toBe(0);
    expect(formatReport(report)).toMatch(/^KNOWN FAILURE payload\/mode1#0/m);
  });
});

describe('facevq conformance (CLI)', () => {
  it('exits 0 on the built-in codec and ends with the summary line', async () => {
    const { code, stdout: out } = await runCli(run, ['--vectors', DIR]);
    expect(code).toBe(0);
    expect(out.trim().split('\n').at(-1)).toBe(`${cases.length} passed, 0 failed`);
  });

  it('exits 1 with a broken decoder, counting encode vectors as skipped', async () => {
    const { code, stdout: out } = await runCli(run, ['--vectors', DIR, '--decoder', BROKEN('wrong'), '--timeout', '5000']);
    expect(code).toBe(1);
    expect(out.trim().split('\n').at(-1)).toMatch(/^\d+ passed, \d+ failed, \d+ skipped$/);
  });

  it('prints JSON with --json', async () => {
    const { code, stdout: out } = await runCli(run, ['--vectors', DIR, '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { passed: number; failed: number; failures: unknown[] };
    expect(report).toMatchObject({ passed: cases.length, failed: 0, failures: [] });
  });
});
