/** Files shipped with the package (spec/vectors, models/), found from src/cli or from a dist/ chunk. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The facevq package folder: the nearest folder above this module whose package.json names facevq. */
export function packageDir(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; ) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'facevq') return dir;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
