import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_SOURCES, CODE_VERSIONS, codeKey, type CodeStage } from './code-versions.js';

/** This file's own module: it holds the hashes, so it cannot be part of what they hash. */
const SELF = 'src/eval/code-versions.ts';

/** Relative imports that produce code: `import ... from`, `export ... from`, `import(...)`; not `import type`. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g;

/** `file` and every module it imports, transitively, as sorted paths from the package root. */
function closure(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || file === SELF) return;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      visit(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
  };
  entries.forEach(visit);
  return [...seen].sort();
}

function version(entries: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of closure(entries)) hash.update(file).update('\0').update(fs.readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 12);
}

describe('code versions of the cache keys', () => {
  it('match the sources (when this fails: paste the printed values into src/eval/code-versions.ts)', () => {
    const fresh = Object.fromEntries(Object.entries(CODE_SOURCES).map(([stage, entries]) => [stage, version(entries)])) as Record<CodeStage, string>;
    expect(CODE_VERSIONS, `sources changed; new CODE_VERSIONS:\n${JSON.stringify(fresh, null, 2)}`).toEqual(fresh);
  });

  it('cover the modules that shape each result', () => {
    expect(closure(CODE_SOURCES.detection)).toContain('src/sdk/align.ts');
    const ours = closure(CODE_SOURCES.ours);
    for (const file of ['src/sdk/align.ts', 'src/sdk/quantize.ts', 'src/sdk/preprocess.ts', 'src/codec/payload.ts', 'src/codec/head.ts', 'src/sdk/runtime/ort-node.ts']) expect(ours).toContain(file);
    expect(closure(CODE_SOURCES.teacher)).toEqual(expect.arrayContaining(['src/sdk/node/faceres.ts', 'src/eval/teacher-pca.ts', 'src/sdk/align.ts']));
  });

  it('name each stage and the installed runtimes in the key', () => {
    expect(codeKey('detection', 'ours')).toMatch(/^detection=[0-9a-f]{12} ours=[0-9a-f]{12} .*@tensorflow\/tfjs@\d.*onnxruntime-node@\d/);
  });
});
