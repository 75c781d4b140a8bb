/**
 * `npm run build` step: the demo page for the built package, `dist/demo/index.html` and
 * `dist/demo/app.js` (page/main.ts bundled with the SDK), which `facevq serve` serves when the
 * source tree is not there (src/demo/assets.ts).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundlePage, PAGE_ENTRY } from '../src/demo/bundle.js';

const out = join('dist', 'demo');
const script = await bundlePage();
if (script === undefined) throw new Error('build-demo: esbuild is not installed');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'app.js'), script);
copyFileSync(join(PAGE_ENTRY, '..', 'index.html'), join(out, 'index.html'));
console.log(`build-demo: wrote ${out}/app.js (${script.length} bytes) and index.html`);
