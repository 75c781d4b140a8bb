/**
 * Package weight: the runtime-neutral SDK (everything under src/sdk but `node/`) must not import
 * an optional peer dependency or a Node built-in statically; they are loaded by `import()` of a
 * name, only on the code paths that need them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const OPTIONAL = /^(onnxruntime-node|onnxruntime-web|sharp|@vladmandic\/face-api|@tensorflow\/.*|node:.*|fs|path|os|module|url|crypto)$/;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node' ? [] : sources(full);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('runtime-neutral SDK files', () => {
  const files = sources(path.join('src', 'sdk'));
  it('exist', () => expect(files.length).toBeGreaterThan(10));
  for (const file of files) {
    it(`${file} imports no optional package or Node built-in statically`, () => {
      const text = fs.readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)]
        .filter((m) => !/^\s*(import|export)\s+type\s/.test(m[0]))
        .map((m) => m[1]!);
      expect(imports.filter((name) => OPTIONAL.test(name))).toEqual([]);
    });
  }
});
