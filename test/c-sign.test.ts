/**
 * The signed vectors (spec/vectors/payload/signed.json) recomputed by both signers, the
 * TypeScript `signGrid` and the C `fvq_sign` (examples/c/sign_tool), from each case's grid, mode,
 * key id, capture time and tag length, and the key its description ends with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProfile, signGrid } from '../src/codec/index.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const VECTORS = path.join(ROOT, 'spec/vectors');
const C_DIR = path.join(ROOT, 'examples/c');
const hasCc = spawnSync('cc', ['--version']).status === 0;

interface SignedCase {
  description: string;
  profile: string;
  input: { grid: number[]; mode: 0 | 1 | 2 | 3 | 'auto'; extensions: { keyId: string; captureTime: number; authTag: string } };
  hex: string;
}

/** What signing a case takes (hex key and key id). */
function signatureOf(c: SignedCase): { key: string; keyId: string; time: number; tagLength: number } {
  const key = / key ([0-9a-f]+)$/.exec(c.description)?.[1];
  if (!key) throw new Error(`no key in "${c.description}"`);
  const e = c.input.extensions;
  return { key, keyId: e.keyId, time: e.captureTime, tagLength: e.authTag.length / 2 };
}

const file = JSON.parse(fs.readFileSync(path.join(VECTORS, 'payload/signed.json'), 'utf8')) as { profiles: Record<string, string>; cases: SignedCase[] };
const hexBytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

describe('signed vectors (§13)', () => {
  it('TypeScript signGrid reproduces every case', async () => {
    for (const c of file.cases) {
      const profile = readProfile(new Uint8Array(fs.readFileSync(path.join(VECTORS, file.profiles[c.profile]!))));
      const s = signatureOf(c);
      const signed = await signGrid(c.input.grid, profile, { key: hexBytes(s.key), keyId: hexBytes(s.keyId), time: s.time, tagLength: s.tagLength, maxBytes: 1024 }, { mode: c.input.mode });
      expect(Buffer.from(signed).toString('hex'), c.description).toBe(c.hex);
    }
  });

  it.skipIf(!hasCc)('C fvq_sign (examples/c) reproduces every case', () => {
    execFileSync('make', ['-s', '-C', C_DIR], { stdio: 'pipe' });
    const lines = file.cases.map((c) => {
      const s = signatureOf(c);
      return [path.join(VECTORS, file.profiles[c.profile]!), c.input.mode, c.input.grid.join(','), s.key, s.keyId, s.time, s.tagLength, 1024].join(' ');
    });
    const out = execFileSync(path.join(C_DIR, 'build/sign_tool'), { input: `${lines.join('\n')}\n`, encoding: 'utf8' }).trim().split('\n');
    expect(out).toEqual(file.cases.map((c) => c.hex));
  });
});
