/** Regenerates `scan.wasm` from `_wasm.ts`: `npx tsx src/worker/match/write-scan-wasm.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildScanWasm } from './_wasm.js';

writeFileSync(fileURLToPath(new URL('./scan.wasm', import.meta.url)), buildScanWasm());
