/**
 * `npm run bench:browser [-- --json] [--runs N]`
 *
 * The device encoder's time per face in a real browser, beside Node, in one run on the same chip:
 * the demo page (`/demo/`, served in this process) in headless Chromium (Debian's `chromium`,
 * driven by playwright-core) detects and crops face-api's `demo/sample1.jpg`, then times
 * `FaceEncoder.encodeChip` (normalise, encoder network, quantiser, range coder; crop excluded) on
 * onnxruntime-web (wasm, one thread) and on the plain-TypeScript runtime; this process times the
 * same call on the same chip with onnxruntime-node, onnxruntime-web and the TypeScript runtime.
 * `--runs` timed calls each after one warm-up; p50 and mean per face, and each row's p50 as a
 * multiple of onnxruntime-node's. Without a Chromium it says so and exits 0. The load average is
 * recorded: on a shared machine the numbers move with it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { numberOption, parseArgs } from '../src/cli/args.js';
import { cropFace } from '../src/sdk/preprocess.js';
import { NodeFaceEncoder } from '../src/sdk/node/index.js';
import type { OrtModule } from '../src/sdk/runtime/index.js';
import type { RuntimeName } from '../src/sdk/frame-encoder.js';
import { decodeImage } from '../src/sdk/node/image.js';
import { createNodeService, listen } from '../src/worker/adapter/node.js';
import { findChromium, launchChromium } from '../test/demo/_chromium.js';
import { demoImagePaths } from '../test/sdk/_faces.js';

interface Row { where: 'Chromium' | 'Node'; runtime: string; p50: number; mean: number; xOrtNode?: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const round = (x: number) => +x.toFixed(3);

/** Times `encodeChip` in Node on one runtime. */
async function timeInNode(runtime: RuntimeName, chip: Uint8Array, runs: number): Promise<Row> {
  const encoder = await NodeFaceEncoder.load({ profile: 'm', runtime, ...(runtime === 'web' && { ort: ortWeb as unknown as OrtModule }) });
  await encoder.encodeChip(chip);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await encoder.encodeChip(chip);
    ms.push(performance.now() - t0);
  }
  await encoder.dispose();
  return { where: 'Node', runtime: encoder.runtime, p50: median(ms), mean: mean(ms) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['runs'], ['json']);
  const runs = numberOption(args, 'runs', 200);
  const chromium = findChromium();
  if (!chromium) {
    console.log('bench:browser: no Chromium found (install Debian\'s chromium or set FACEVQ_CHROMIUM); nothing measured');
    return;
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'facevq-bench-browser-'));
  const service = createNodeService(join(dir, 'bench.db'), join(import.meta.dirname, '..', 'models'), { rate: null });
  const server = await listen(service.app, 0, '127.0.0.1');
  const browser = await launchChromium(chromium);
  const rows: Row[] = [];
  const file = demoImagePaths()[0]!;
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/demo/`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 300_000 });
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => ['encoded', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 300_000 });
    const landmarks5 = JSON.parse((await page.locator('#crop').getAttribute('data-landmarks'))!) as number[];
    for (const runtime of ['web', 'ts'] as const) {
      const timed = await page.evaluate(([r, n]) => (window as unknown as { facevqDemo: { timeEncoder(r: string, n: number): Promise<{ runtime: string; msPerFace: number[] }> } }).facevqDemo.timeEncoder(r, n), [runtime, runs] as const);
      rows.push({ where: 'Chromium', runtime: timed.runtime, p50: median(timed.msPerFace), mean: mean(timed.msPerFace) });
    }
    const image = await decodeImage(file);
    const chip = cropFace({ pixels: image.data, width: image.width, height: image.height, channels: 3, landmarks5 }, 64);
    for (const runtime of ['node', 'web', 'ts'] as const) rows.push(await timeInNode(runtime, chip, runs));
  } finally {
    await browser.close();
    await server.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const baseline = rows.find((r) => r.where === 'Node' && r.runtime === 'onnxruntime-node')!.p50;
  for (const row of rows) row.xOrtNode = row.p50 / baseline;
  const report = {
    runs, chromium, face: file.split('/').pop(), loadAverage: os.loadavg().map(round),
    rows: rows.map((r) => ({ ...r, p50: round(r.p50), mean: round(r.mean), xOrtNode: round(r.xOrtNode!) })),
  };
  if (args.flags.has('json')) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`encodeChip per face, profile m, ${runs} runs each (load average ${report.loadAverage.join(' ')})`);
  console.log('where     runtime            p50 ms   mean ms   p50 / onnxruntime-node');
  for (const r of report.rows) console.log(`${r.where.padEnd(9)} ${r.runtime.padEnd(18)} ${r.p50.toFixed(3).padStart(7)} ${r.mean.toFixed(3).padStart(9)}   ${r.xOrtNode.toFixed(2)}x`);
}

await main();
