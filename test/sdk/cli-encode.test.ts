import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../_cli.js';
import { decodeGrid, readProfile, verifyPayload } from '../../src/codec/index.js';
import { run } from '../../src/cli/encode.js';
import { UsageError } from '../../src/cli/errors.js';
import { demoChips, demoImagePaths } from './_faces.js';
import { ENCODER_PATH, testProfileBytes } from './_profile.js';

let dir: string;
let profilePath: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fvq-cli-'));
  profilePath = path.join(dir, 'm.fvqp');
  fs.writeFileSync(profilePath, testProfileBytes('m', await demoChips()));
  fs.copyFileSync(ENCODER_PATH, path.join(dir, 'encoder.onnx'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the command, returning its status and what it printed on stdout. */
async function cli(argv: string[]): Promise<{ status: number; stdout: string }> {
  const { code, stdout } = await runCli(run, argv);
  return { status: code, stdout };
}

describe('facevq encode', () => {
  it('detects, encodes and writes .fvq files into --out DIR, printing JSON lines', async () => {
    const images = demoImagePaths().slice(0, 2);
    const outDir = path.join(dir, 'many');
    const { status, stdout } = await cli([...images, '--profile', profilePath, '--out', outDir, '--json', '--runtime', 'ts']);
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { out: string; hex: string; bytes: number; grid: number[]; timings: Record<string, number>; face: { source: string } });
    expect(lines).toHaveLength(2);
    const profile = readProfile(new Uint8Array(fs.readFileSync(profilePath)));
    for (const line of lines) {
      const payload = new Uint8Array(fs.readFileSync(line.out));
      expect(Buffer.from(payload).toString('hex')).toBe(line.hex);
      expect(payload.length).toBe(line.bytes);
      expect(Array.from(decodeGrid(payload, profile).grid)).toEqual(line.grid);
      expect(line.face.source).toBe('detected');
      expect(Object.keys(line.timings).sort()).toEqual(['codecMs', 'cropMs', 'encoderMs', 'quantizeMs']);
    }
  });

  it('uses --box and --mode, and writes --out FILE for one image', async () => {
    const [image] = demoImagePaths();
    const target = path.join(dir, 'one.fvq');
    const { status } = await cli([image!, '--profile', profilePath, '--box', '700,200,300,300', '--mode', '0', '--out', target, '--runtime', 'ts']);
    expect(status).toBe(0);
    const profile = readProfile(new Uint8Array(fs.readFileSync(profilePath)));
    const payload = new Uint8Array(fs.readFileSync(target));
    expect(payload.length).toBe(3 + profile.fixedBodyBytes);
    expect(decodeGrid(payload, profile).mode).toBe(0);
  });

  it('signs with --sign KEYID:KEY: key id, capture time and a tag that verifies under the key', async () => {
    const [image] = demoImagePaths();
    const target = path.join(dir, 'signed.fvq');
    const key = '5a'.repeat(32);
    const before = Math.floor(Date.now() / 1000);
    const { status } = await cli([image!, '--profile', profilePath, '--box', '700,200,300,300', '--sign', `0a:${key}`, '--out', target, '--runtime', 'ts']);
    expect(status).toBe(0);
    const profile = readProfile(new Uint8Array(fs.readFileSync(profilePath)));
    const payload = new Uint8Array(fs.readFileSync(target));
    const { extensions } = decodeGrid(payload, profile);
    expect(extensions.keyId).toEqual(Uint8Array.of(0x0a));
    expect(extensions.captureTime).toBeGreaterThanOrEqual(before);
    expect(extensions.captureTime).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(await verifyPayload(payload, Buffer.from(key, 'hex'))).toBe(true);
    expect(await verifyPayload(payload, Buffer.from('5b'.repeat(32), 'hex'))).toBe(false);
  });

  it('reports images without a face and exits 1', async () => {
    const blank = path.join(dir, 'blank.png');
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png().toFile(blank);
    const { status } = await cli([blank, '--profile', profilePath, '--out', dir + '/', '--runtime', 'ts']);
    expect(status).toBe(1);
  });

  it('of several faces encodes the one nearest the centre and says so; --all encodes each, --face N another', async () => {
    const group = demoImagePaths().find((f) => f.endsWith('sample1.jpg'))!;
    const outDir = path.join(dir, 'group') + '/';
    const args = [group, '--profile', profilePath, '--runtime', 'ts'];
    const one = await runCli(run, [...args, '--out', outDir]);
    expect(one.code, one.stderr).toBe(0);
    const found = Number(/: (\d+) faces found; encoded the one nearest the centre \(face 0\)\. --face N takes another, --all encodes each/.exec(one.stderr)?.[1]);
    expect(found).toBeGreaterThan(1);
    expect(one.stdout).toMatch(new RegExp(`^${path.join(outDir, 'sample1.fvq')}  \\d+ bytes`));
    const all = await runCli(run, [...args, '--out', outDir, '--all']);
    expect(all.stdout.trim().split('\n')).toHaveLength(found);
    expect(fs.readdirSync(outDir).filter((f) => /^sample1\.\d+\.fvq$/.test(f))).toHaveLength(found);
    expect(fs.readFileSync(path.join(outDir, 'sample1.0.fvq'))).toEqual(fs.readFileSync(path.join(outDir, 'sample1.fvq')));
    const second = path.join(dir, 'second.fvq');
    expect((await runCli(run, [...args, '--face', '1', '--out', second])).code).toBe(0);
    expect(fs.readFileSync(second)).toEqual(fs.readFileSync(path.join(outDir, 'sample1.1.fvq')));
    const beyond = await runCli(run, [...args, '--face', String(found), '--out', second]);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toContain(`E_NO_FACE: ${group}: --face ${found} asked, but ${found} faces found`);
  });

  it('reports a truncated JPEG as E_IMAGE, in one line', async () => {
    const whole = fs.readFileSync(demoImagePaths()[0]!);
    const truncated = path.join(dir, 'truncated.jpg');
    fs.writeFileSync(truncated, whole.subarray(0, whole.length >> 1));
    const r = await runCli(run, [truncated, '--profile', profilePath, '--box', '0,0,100,100', '--runtime', 'ts', '--out', dir + '/']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^facevq encode: E_IMAGE: ${truncated}: cannot decode this JPEG file \\(.+\\)$`, 'm'));
  });

  it('rejects bad arguments', async () => {
    await expect(cli([])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['x.jpg', '--box', '1,2,3'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['x.jpg', '--mode', '4'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['x.jpg', '--runtime', 'gpu'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['x.jpg', '--sign', '01'])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['x.jpg', '--sign', `01:${'ab'.repeat(8)}`])).rejects.toBeInstanceOf(UsageError);
    await expect(cli(['x.jpg', '--profile', path.join(dir, 'missing.fvqp')])).rejects.toBeInstanceOf(UsageError);
  });
});
