/**
 * The published package: `npm pack` (which builds dist/ first, the `prepack` script) holds what
 * a user needs and nothing else, and the tarball, unpacked into an empty folder as `npm install`
 * lays it out, runs `facevq serve`, `keys`, `encode --box`, `inspect`, `conformance` and `demo`.
 *
 * The install is simulated, because tests run offline: the tarball is unpacked to
 * `node_modules/facevq`, its `dependencies` and `optionalDependencies` are linked from this
 * checkout's node_modules, and `node_modules/.bin/facevq` is linked as npm links it. The optional
 * peers (sharp, onnxruntime, face-api) are left out on purpose: `encode` then runs on a PPM image
 * with the plain-TypeScript runtime, and `demo` must say which packages to install.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGrid, readProfile } from '../src/codec/index.js';

const ROOT = new URL('../', import.meta.url).pathname;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'facevq-pack-'));
const app = path.join(work, 'app');
let files: string[] = [];

/** `npm pack` into `work`; returns the tarball's path and its file list. */
function pack(): { tarball: string; files: string[] } {
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  // The prepack build prints to stdout too; the JSON report is the array at the end.
  const [info] = JSON.parse(r.stdout.slice(r.stdout.lastIndexOf('[\n  {'))) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(work, info!.filename), files: info!.files.map((f) => f.path) };
}

/** Lays the tarball out as `npm install` would, linking its dependencies from this checkout. */
function install(tarball: string): void {
  const modules = path.join(app, 'node_modules');
  const target = path.join(modules, 'facevq');
  fs.mkdirSync(target, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  expect(untar.status, String(untar.stderr)).toBe(0);
  const pkg = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8')) as { dependencies: object; optionalDependencies?: object; bin: Record<string, string> };
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules', dep)), path.join(modules, dep));
  }
  fs.mkdirSync(path.join(modules, '.bin'));
  fs.symlinkSync(path.join('..', 'facevq', pkg.bin.facevq!), path.join(modules, '.bin', 'facevq'));
}

/** Runs `npx facevq ...` in the app folder (npx finds node_modules/.bin; --no: never download). */
function facevq(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('npx', ['--no', 'facevq', ...args], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
}

beforeAll(() => {
  const packed = pack();
  files = packed.files;
  install(packed.tarball);
}, 900_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('npm pack', () => {
  it('holds the code, the models with their terms, the spec and the licence', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'dist/cli/main.js', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/sdk-node.js', 'dist/worker.js',
      'models/encoder.onnx', 'models/m.fvqp', 'models/s.fvqp', 'models/xs.fvqp', 'models/README.md', 'models/LICENSE-DATA.md', 'spec/FORMAT.md', 'spec/CONFORMANCE.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.startsWith('spec/vectors/'))).toBe(true);
  });

  it('leaves out sources, tests, training, caches, databases and build exports', () => {
    const unwanted = files.filter((f) =>
      /^(src|test|bench|scripts|training|examples|\.cache|\.wrangler|node_modules|coverage)\//.test(f) ||
      /^models\/(build\/|head-|decoder-)/.test(f) || /\.test\.|\.db(-wal|-shm)?$|\.log$|\.map$|\.tgz$/.test(f));
    expect(unwanted).toEqual([]);
  });
});

describe('the installed tarball', () => {
  it('serves: healthz lists every shipped profile, enrollments commit (its writer thread runs from dist/), and Ctrl-C stops it cleanly', async () => {
    // Its own process group, as a terminal's foreground job: Ctrl-C signals the whole group.
    const child = spawn('npx', ['--no', 'facevq', 'serve', '--port', '0', '--db', 'facevq.db'], { cwd: app, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 120_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const found = /serving on (http:\/\/\S+)/.exec(output)?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
    });
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health.profiles.sort()).toEqual(['m', 's', 'xs']);
    const m = readProfile(new Uint8Array(fs.readFileSync(path.join(ROOT, 'models/m.fvqp'))));
    const payload = encodeGrid(new Uint16Array(m.gridLength).map((_, i) => (i * 7) % m.planes[i % m.planes.length]!.k), m);
    const headers = { authorization: `Bearer ${fs.readFileSync(path.join(app, 'facevq.db.first-key'), 'utf8').trim()}`, 'content-type': 'application/vnd.facevq' };
    const enrolled = await fetch(`${url}/v1/galleries/door/subjects/alice/enroll`, { method: 'POST', headers, body: payload as Uint8Array<ArrayBuffer> });
    expect(enrolled.status, await enrolled.clone().text()).toBe(201);
    const found = (await (await fetch(`${url}/v1/galleries/door/identify?k=1`, { method: 'POST', headers, body: payload as Uint8Array<ArrayBuffer> })).json()) as { candidates: { subject: string }[] };
    expect(found.candidates[0]!.subject).toBe('alice');
    process.kill(-child.pid!, 'SIGINT');
    const deadline = Date.now() + 60_000;
    while (!output.includes('facevq: stopped') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('facevq: SIGINT: stopping');
    expect(output).toContain('facevq: stopped');
  }, 300_000);

  it('keys create and list use the database; keys hash needs none', () => {
    const created = facevq('keys', 'create', '--tenant', 'acme', '--db', 'keys.db');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^fvq_/);
    expect(facevq('keys', 'list', '--db', 'keys.db').stdout).toContain('acme');
    expect(facevq('keys', 'hash', '--tenant', 'acme').stdout).toMatch(/record: \{"hash"/);
  }, 300_000);

  it('encode --box (a PPM, plain-TypeScript runtime), inspect and conformance run with no optional package', () => {
    const side = 64;
    const pixels = Buffer.alloc(side * side * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) & 0xff;
    fs.writeFileSync(path.join(app, 'chip.ppm'), Buffer.concat([Buffer.from(`P6\n${side} ${side}\n255\n`), pixels]));
    const encoded = facevq('encode', 'chip.ppm', '--box', `0,0,${side},${side}`, '--runtime', 'ts');
    expect(encoded.status, encoded.stderr).toBe(0);
    expect(encoded.stdout).toMatch(/^chip\.fvq {2}\d+ bytes/);
    const inspected = facevq('inspect', 'chip.fvq', '--json');
    expect(inspected.status, inspected.stderr).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({ ok: true, profile: { name: 'm' } });
    const conformance = facevq('conformance');
    expect(conformance.status, conformance.stdout + conformance.stderr).toBe(0);
  }, 300_000);

  it('a missing optional package is one line saying what to install', () => {
    fs.writeFileSync(path.join(app, 'photo.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    const jpeg = facevq('encode', 'photo.jpg', '--box', '0,0,8,8', '--runtime', 'ts');
    expect(jpeg.status).toBe(1);
    expect(jpeg.stderr).toMatch(/E_MISSING_PACKAGE: .*npm i sharp/);
    const demo = facevq('demo');
    expect(demo.status).toBe(1);
    expect(demo.stderr).toMatch(/^facevq demo: E_MISSING_PACKAGE: .*npm i @vladmandic\/face-api @tensorflow\/tfjs @tensorflow\/tfjs-backend-wasm$/m);
    for (const r of [jpeg, demo]) expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 300_000);
});
