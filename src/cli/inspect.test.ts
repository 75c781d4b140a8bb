import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/_cli.js';
import type { VectorFile } from '../conformance/index.js';
import { run } from './inspect.js';

const VECTORS = path.resolve(__dirname, '../../spec/vectors');
const tiny = ['--profile', path.join(VECTORS, 'profiles/tiny.fvqp')];
const extensions = JSON.parse(fs.readFileSync(path.join(VECTORS, 'payload/extensions.json'), 'utf8')) as VectorFile;
const WITH_EXT = extensions.cases.find((c) => c.description === 'tiny, auto: all four known types')!.hex!;

describe('facevq inspect', () => {
  it('prints the header, extensions, grid and bit costs', async () => {
    const { code, stdout: out } = await runCli(run, [WITH_EXT, ...tiny]);
    expect(code).toBe(0);
    expect(out).toMatch(/^mode +1, range coded, static prior/m);
    expect(out).toMatch(/profile +id 1, tag 0xf: "tiny"/);
    expect(out).toMatch(/capture time +1234567890 \(2009-02-13T23:31:30\.000Z\)/);
    expect(out).toMatch(/^0 \| 0 3$/m);
    expect(out).toMatch(/^1 \| 4 2$/m);
    expect(out).toMatch(/coded bits per index/);
    expect(out).toMatch(/ideal bits per index/);
  });

  it('prints one JSON object with --json', async () => {
    const { code, stdout: out } = await runCli(run, [WITH_EXT, ...tiny, '--json']);
    expect(code).toBe(0);
    const j = JSON.parse(out) as { mode: number; grid: number[]; extensions: { captureTime: number }; codedBits: number[] };
    expect(j).toMatchObject({ mode: 1, grid: [0, 3, 4, 2], extensions: { captureTime: 1234567890 } });
    expect(j.codedBits).toHaveLength(4);
  });

  it('reports a payload that does not decode with its code, exit 1', async () => {
    const { code, stderr: err } = await runCli(run, ['0c1f00', ...tiny]);
    expect(code).toBe(1);
    expect(err).toMatch(/E_VERSION/);
  });
});
