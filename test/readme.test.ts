/**
 * The README's shell blocks, run in order as written, so none rots: every command of every
 * ```sh block runs in one bash session (`set -euo pipefail`, so any failure fails the test), in a
 * scratch folder that links this checkout's src, models, spec and node_modules (the files the
 * commands write, facevq.db and faces/, land there). The few commands that cannot run inside
 * `npm test` are listed below with the reason; a README command not run and not listed fails.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;

/** Commands the test does not run, and why. */
const NOT_RUN: Record<string, string> = {
  'npm ci && npm start': 'reinstalls this checkout: .ci/run runs npm ci on a clean clone, and the Quick start runs npm start',
  'npm test': 'this test runs inside npm test',
};

/** Every command of the README's ```sh blocks in order, `\` continuations joined, comments kept. */
function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const command of block[1]!.split(/(?<!\\)\n/)) {
      if (command.trim() !== '') commands.push(command);
    }
  }
  return commands;
}

/** The command without its trailing `# comment` and extra spaces, for {@link NOT_RUN}. */
const bare = (command: string) => command.replace(/\s+#.*$/, '').trim();

function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = net.createServer().once('error', () => done(false)).listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-readme-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
const port8787Free = await portFree(8787);

describe('README', () => {
  const commands = readmeCommands(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('has commands, and every one it does not run is listed with a reason', () => {
    expect(commands.length).toBeGreaterThan(5);
    for (const skipped of Object.keys(NOT_RUN)) expect(commands.map(bare), skipped).toContain(skipped);
  });

  it.skipIf(!port8787Free)('runs every command in order, as written (skipped when port 8787 is taken: the Quick start serves there)', () => {
    for (const entry of ['src', 'models', 'spec', 'node_modules', 'package.json', 'tsconfig.json']) {
      fs.symlinkSync(path.join(ROOT, entry), path.join(scratch, entry));
    }
    const script = [
      'set -euo pipefail',
      ...commands.filter((c) => !(bare(c) in NOT_RUN)),
      'wait', // the server started in the background prints its shutdown before the script ends
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: scratch, encoding: 'utf8', timeout: 900_000, maxBuffer: 64 << 20 });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status, output).toBe(0);
    expect(output).toContain('facevq serving on http://127.0.0.1:8787');
    expect(output).toMatch(/identify: \d+ of \d+ mirrored faces matched/);
    // curl prints each JSON body without a newline: the identify answer is the one with candidates.
    expect(r.stdout).toMatch(/"candidates":\[\{"subject":"bob","score":/);
    expect(output).toContain('facevq: stopped');
    expect(fs.readdirSync(path.join(scratch, 'faces')).filter((f) => /^sample1\.\d+\.fvq$/.test(f)).length).toBeGreaterThan(1);
  }, 900_000);
});
