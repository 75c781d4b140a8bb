/**
 * The conformance vectors are frozen data: every file is pinned by MANIFEST.json, fits
 * schema.json, and together they cover every error code of §9.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/codec/index.js';
import { listVectorFiles, loadSchema, loadVectors, validate, type JsonValue } from '../src/conformance/index.js';

const DIR = path.resolve(__dirname, '../spec/vectors');
const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'MANIFEST.json'), 'utf8')) as { files: Record<string, string> };

describe('spec/vectors', () => {
  it('matches MANIFEST.json byte for byte (vectors never change silently: add new files instead)', () => {
    for (const [rel, hash] of Object.entries(manifest.files)) {
      const actual = createHash('sha256').update(fs.readFileSync(path.join(DIR, rel))).digest('hex');
      expect(actual, `${rel} changed`).toBe(hash);
    }
  });

  it('lists every vector file and profile in MANIFEST.json', () => {
    const onDisk = [...listVectorFiles(DIR), ...fs.readdirSync(path.join(DIR, 'profiles')).map((f) => `profiles/${f}`)];
    expect(Object.keys(manifest.files).sort()).toEqual(onDisk.sort());
  });

  it('fits schema.json, and every case names a known profile', () => {
    expect(() => loadVectors(DIR)).not.toThrow();
  });

  const cases = loadVectors(DIR);

  it('holds at least 200 required cases', () => {
    expect(cases.filter((c) => !c.optional).length).toBeGreaterThanOrEqual(200);
  });

  it('covers every error code of §9', () => {
    const seen = new Set(cases.map((c) => c.case.error).filter((e) => e !== undefined));
    expect(ERROR_CODES.filter((code) => !seen.has(code))).toEqual([]);
  });

  it('cites sections that exist in spec/FORMAT.md', () => {
    const format = fs.readFileSync(path.resolve(DIR, '../FORMAT.md'), 'utf8');
    const sections = new Set([...format.matchAll(/^#{2,4} (\d+(?:\.\d+)*)\.? /gm)].map((m) => m[1]));
    for (const c of cases) {
      for (const ref of c.case.spec.split(', ')) expect(sections.has(ref.slice(1)), `${c.id}: ${ref}`).toBe(true);
    }
  });

  it('has encode vectors (roundtrip) for modes 0, 1, 2, 3 and auto', () => {
    const modes = new Set(cases.filter((c) => c.case.roundtrip).map((c) => c.case.input!.mode));
    expect([...modes].sort()).toEqual([0, 1, 2, 3, 'auto']);
  });
});

describe('the schema validator', () => {
  const schema = loadSchema(DIR);
  const good = { _comment: 'x', kind: 'profile', profiles: {}, cases: [{ description: 'd', spec: '§10', hex: '00', valid: false, error: 'E_PROFILE_FORMAT', roundtrip: false }] };

  it('accepts a well-formed file', () => {
    expect(validate(good as JsonValue, schema)).toEqual([]);
  });

  it('rejects a missing field, an invalid case without its error, and an unknown key', () => {
    const noValid = { ...good, cases: [{ ...good.cases[0], valid: undefined }] };
    expect(validate(JSON.parse(JSON.stringify(noValid)) as JsonValue, schema).length).toBeGreaterThan(0);
    const { error: _error, ...noError } = good.cases[0]!;
    expect(validate({ ...good, cases: [noError] } as JsonValue, schema).length).toBeGreaterThan(0);
    expect(validate({ ...good, extra: 1 } as JsonValue, schema).length).toBeGreaterThan(0);
  });

  it('rejects keywords it does not implement instead of ignoring them', () => {
    expect(() => validate(1, { multipleOf: 2 })).toThrow(/not supported/);
  });
});
