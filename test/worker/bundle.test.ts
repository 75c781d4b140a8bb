/**
 * The Worker bundle: `wrangler deploy --dry-run --outdir` builds what would be uploaded, and the
 * total, models included, must stay under the free plan's 3 MiB compressed. The test Worker
 * (synthetic profiles) is bundled too, which proves on every run that nothing Node-only
 * (better-sqlite3, node:fs) leaks into the Worker's import graph.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const LIMIT = 3 * 1024 * 1024;
const MODELS = ['models/m.fvqp', 'models/s.fvqp'];

/** Runs the dry-run deploy into `outdir` (optionally for another entry); returns the uploaded files' gzip total. */
function dryRun(outdir: string, entry?: string): { files: string[]; gzipBytes: number; output: string } {
  const dir = join(ROOT, outdir);
  rmSync(dir, { recursive: true, force: true });
  const args = ['wrangler', 'deploy', ...(entry ? [entry] : []), '--dry-run', '--outdir', outdir];
  const r = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  const output = r.stdout + r.stderr;
  expect(r.status, output).toBe(0);
  const files = readdirSync(dir).filter((f) => !f.endsWith('.map') && f !== 'README.md');
  const gzipBytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
  return { files, gzipBytes, output };
}

describe('Worker bundle', () => {
  it('bundles the Worker without Node-only modules', () => {
    const { files, gzipBytes, output } = dryRun('.cache/wrangler-dry-test', 'test/workers/entry.ts');
    expect(files.some((f) => f.endsWith('scan.wasm'))).toBe(true);
    const js = readFileSync(join(ROOT, '.cache/wrangler-dry-test/entry.js'), 'utf8');
    expect(js).not.toMatch(/better-sqlite3|from\s*["']node:/);
    expect(gzipBytes).toBeLessThan(LIMIT);
    expect(output).toContain('env.GALLERIES (GalleryObject)');
  });

  const absent = MODELS.filter((m) => !existsSync(join(ROOT, m)));
  const name = 'bundles the profiles m and s in under 3 MiB compressed';
  it.skipIf(absent.length > 0)(absent.length > 0 ? `${name} (skipped: ${absent.join(', ')} absent)` : name, () => {
    const { files, gzipBytes, output } = dryRun('.cache/wrangler-dry');
    expect(files.filter((f) => f.endsWith('.fvqp'))).toHaveLength(2);
    const reported = /gzip: ([\d.]+) KiB/.exec(output);
    expect(reported, output).not.toBeNull();
    expect(Number(reported![1]) * 1024).toBeLessThan(LIMIT);
    expect(gzipBytes).toBeLessThan(LIMIT);
  });
});
