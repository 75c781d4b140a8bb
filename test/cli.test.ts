/**
 * The command line as a user meets it: help for every command, exit statuses, and failures as
 * one line with a code, never a stack trace, reported before any model loads.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands.js';
import { runCommandLine } from '../src/cli/dispatch.js';
import { runCli, type CliResult } from './_cli.js';
import { e2eSetup } from './worker/e2e-source.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const facevq = (...argv: string[]): Promise<CliResult> => runCli(runCommandLine, argv);

/** A failure: the given exit status and code on one stderr line, no stack trace. */
function expectFailure(r: CliResult, status: number, code: string): void {
  expect(r.code, r.stderr).toBe(status);
  expect(r.stderr).toMatch(new RegExp(`^facevq \\S+: ${code}: .+$`, 'm'));
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

describe('facevq help', () => {
  it('lists the commands: exit 0 for --help, 2 with no command or an unknown one', async () => {
    const help = await facevq('--help');
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.name);
    const none = await facevq();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: facevq <command>');
    const bogus = await facevq('bogus');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('unknown command "bogus"');
  });

  it('every command has --help: usage, options with defaults, examples; exit 0', async () => {
    for (const { name } of COMMANDS) {
      const r = await facevq(name, '--help');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^usage:\\n  facevq ${name}`));
      expect(r.stdout).toContain('\noptions:\n');
      expect(r.stdout).toContain('  --help ');
      expect(r.stdout).toContain('\nexamples:\n');
    }
  }, 300_000);
});

describe('facevq errors', () => {
  it('usage errors exit 2 and point to --help', async () => {
    const r = await facevq('keys', 'create');
    expectFailure(r, 2, 'E_USAGE');
    expect(r.stderr).toContain('--tenant is required');
    expect(r.stderr).toContain("run 'facevq keys --help'");
    expectFailure(await facevq('serve', '--port', '99999'), 2, 'E_USAGE');
    expectFailure(await facevq('encode', 'x.jpg', '--all', '--face', '1'), 2, 'E_USAGE');
    expectFailure(await facevq('encode', 'x.jpg', '--profile', 'xxl'), 2, 'E_USAGE');
  });

  it('encode and demo check their images before loading any model', async () => {
    const empty = path.join(dir, 'empty.jpg');
    fs.writeFileSync(empty, '');
    const text = path.join(dir, 'notes.jpg');
    fs.writeFileSync(text, 'not an image at all');
    const missing = await facevq('encode', path.join(dir, 'missing.jpg'));
    expectFailure(missing, 1, 'ENOENT');
    expect(missing.stderr).toContain('nothing encoded');
    expectFailure(await facevq('encode', empty), 1, 'E_IMAGE');
    const notImage = await facevq('encode', text, empty);
    expect(notImage.stderr).toContain('is not a JPEG, PNG');
    expect(notImage.stderr).toContain('is empty (0 bytes)');
    expectFailure(await facevq('demo', path.join(dir, 'missing.jpg')), 1, 'ENOENT');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.fvq'))).toEqual([]);
  });

  it('serve: a missing --db folder fails at once', async () => {
    expectFailure(await facevq('serve', '--db', '/nonexistent/dir/x.db'), 1, 'ENOENT');
  });

  it('serve: a port in use is one line, and leaves no database or key behind', async () => {
    const blocker = net.createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as net.AddressInfo;
    const db = path.join(dir, 'busy.db');
    const { profilesDir } = e2eSetup();
    try {
      const r = await facevq('serve', '--port', String(port), '--db', db, '--profiles', profilesDir);
      expectFailure(r, 1, 'EADDRINUSE');
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stdout).not.toContain('fvq_');
      expect(fs.existsSync(db)).toBe(false);
    } finally {
      blocker.close();
      fs.rmSync(profilesDir, { recursive: true, force: true });
    }
  }, 300_000);

  it('keys hash works without touching SQLite', async () => {
    const r = await facevq('keys', 'hash', '--tenant', 'acme');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^key: +fvq_/);
  });
});
