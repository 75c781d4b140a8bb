/**
 * The demo page in a real browser: Debian's Chromium (playwright-core drives it, nothing is
 * downloaded) against a real `facevq serve` on a temporary database and the shipped models. The page
 * detects, crops, encodes and codes face-api's demo photos itself; its payloads must be
 * byte-identical to the Node SDK's for the same photo (Node decodes the JPEG with sharp and detects
 * with face-api on tfjs-node-wasm); its preview must be a PNG of the decoder's size, identical to a
 * decode in Node; enroll then identify must return the enrolled subject; errors must show their
 * codes. Screenshots go to `artifacts/demo/` (ignored by git).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGrid, readProfile } from '../../src/codec/index.js';
import { NodeFaceEncoder } from '../../src/sdk/node/index.js';
import { GridDecoder } from '../../src/worker/preview/decoder.js';
import { demoImagePaths } from '../sdk/_faces.js';
import { kill9, ROOT, startServer, type Server } from '../worker/node-server.js';
import { findChromium, launchChromium } from './_chromium.js';

const MODELS = join(ROOT, 'models');
const ARTIFACTS = join(ROOT, 'artifacts', 'demo');
const chromiumPath = findChromium();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/** Waits until the page has settled in one of `states` (body[data-state]); returns the state. */
async function settled(page: Page, states: string[] = ['encoded', 'error']): Promise<string> {
  await page.waitForFunction((wanted) => wanted.includes(document.body.dataset.state ?? ''), states, { timeout: 120_000 });
  return (await page.locator('body').getAttribute('data-state'))!;
}

/** Does `action` and waits for the page to settle after it (not on the state before it). */
async function act(page: Page, action: () => Promise<unknown>): Promise<string> {
  await page.evaluate(() => (document.body.dataset.state = 'pending'));
  await action();
  return settled(page);
}

/** Picks a profile; a change re-encodes the picture shown, so wait for that. */
async function chooseProfile(page: Page, name: string): Promise<void> {
  if ((await page.locator('#profile').inputValue()) !== name) await act(page, () => page.selectOption('#profile', name));
}

/** Loads a picture through the page's file input and waits for the result. */
const loadPicture = (page: Page, file: string) => act(page, () => page.setInputFiles('#file', file));

describe.skipIf(!chromiumPath)('the demo page in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-demo-'));
  let server: Server;
  let key: string;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The shipped m and s with their encoder and decoder (xs would only add start-up time).
    const served = join(dir, 'models');
    mkdirSync(served);
    for (const file of ['m.fvqp', 's.fvqp', 'encoder.onnx', 'decoder-m.onnx']) symlinkSync(join(MODELS, file), join(served, file));
    server = await startServer(join(dir, 'facevq.db'), served, 400_000);
    key = server.firstKey!;
    browser = await launchChromium(chromiumPath!);
    page = await browser.context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(`${server.url}/demo/`);
    expect(await settled(page, ['ready', 'error']), (await page.locator('#error').textContent())!).toBe('ready');
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (server) await kill9(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the page at / and /demo, and only files of its table', async () => {
    const root = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/demo/');
    expect((await fetch(`${server.url}/demo/vendor/ort-wasm-simd-threaded.wasm`)).headers.get('content-type')).toBe('application/wasm');
    const outside = await fetch(`${server.url}/demo/../package.json`);
    expect(outside.status).toBe(404);
    expect(await (await fetch(`${server.url}/demo/models/nope.onnx`)).json()).toMatchObject({ error: { code: 'E_NOT_FOUND' } });
  });

  for (const profile of ['m', 's'] as const) {
    it(`profile ${profile}: the page's payloads are byte-identical to the Node SDK's for the same photos`, async () => {
      await chooseProfile(page, profile);
      const node = await NodeFaceEncoder.load({ profile });
      try {
        for (const file of demoImagePaths().slice(0, 3)) {
          expect(await loadPicture(page, file), (await page.locator('#error').textContent())!).toBe('encoded');
          const pageHex = (await page.locator('#payload-hex').textContent())!;
          const pageLandmarks = JSON.parse((await page.locator('#crop').getAttribute('data-landmarks'))!) as number[];
          const fromNode = await node.encodeImage(file); // Node's own decode and detection
          expect(pageLandmarks).toEqual(fromNode.face.landmarks5);
          expect(pageHex, file).toBe(hex(fromNode.payload));
          expect(Number(await page.locator('#payload-size').textContent())).toBe(fromNode.payload.length);
          expect(fromNode.payload.length).toBeLessThanOrEqual(node.profile.maxBytes);
        }
        await page.screenshot({ path: join(ARTIFACTS, `payload-${profile}.png`), fullPage: true });
      } finally {
        await node.dispose();
      }
    }, 900_000);
  }

  it('shows the server reconstruction for m (a PNG of the decoder size), and says why there is none for s', async () => {
    const decoderBytes = new Uint8Array(readFileSync(join(MODELS, 'decoder-m.onnx')));
    const m = readProfile(new Uint8Array(readFileSync(join(MODELS, 'm.fvqp'))));
    const decoder = await GridDecoder.load(decoderBytes, m);
    await page.fill('#key', key);
    await chooseProfile(page, 'm');
    expect(await loadPicture(page, demoImagePaths()[0]!)).toBe('encoded');
    await page.waitForFunction(() => (document.getElementById('preview') as HTMLImageElement).naturalWidth > 0);
    const shown = await page.locator('#preview').evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    expect(shown).toEqual([decoder.side, decoder.side]);

    const payload = fromHex((await page.locator('#payload-hex').textContent())!);
    const response = await fetch(`${server.url}/v1/preview`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/vnd.facevq' }, body: payload });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-facevq-decoder')).toBe('decoder-m.onnx');
    const { data, info } = await sharp(Buffer.from(await response.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([decoder.side, decoder.side, 3]);
    const inNode = await decoder.decode(decodeGrid(payload, m).grid, m);
    expect(hex(new Uint8Array(data))).toBe(hex(inNode.data));
    await decoder.dispose();
    await page.screenshot({ path: join(ARTIFACTS, 'preview-m.png'), fullPage: true });

    expect(await act(page, () => page.selectOption('#profile', 's'))).toBe('error');
    expect(await page.locator('#error').textContent()).toMatch(/^E_NOT_FOUND \(HTTP 404\): .*no decoder for profile "s"/);
  }, 300_000);

  it('enrolls and identifies from the page: the enrolled subject comes back as a match', async () => {
    const [first, second] = demoImagePaths();
    await page.fill('#key', key);
    await chooseProfile(page, 'm');
    await page.fill('#gallery', 'page');
    for (const [file, subject] of [[first!, 'alice'], [second!, 'bob']] as const) {
      await loadPicture(page, file);
      await page.fill('#subject', subject);
      expect(await act(page, () => page.click('#enroll'))).toBe('encoded');
      expect(await page.locator('#decision').textContent()).toContain(`Enrolled "${subject}"`);
    }
    await loadPicture(page, first!);
    expect(await act(page, () => page.click('#identify'))).toBe('encoded');
    expect(await page.locator('#decision').textContent()).toMatch(/^Match: "alice" \(score 1\.000 ≥ threshold 0\.\d+, profile m\)/);
    const rows = await page.locator('#candidates tbody tr').allInnerTexts();
    expect(rows[0]).toMatch(/^alice\t/);
    expect(rows.some((row) => row.startsWith('bob\t'))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'identify-m.png'), fullPage: true });
  }, 300_000);

  it('shows readable errors with their codes: no key, wrong key, no face, then a box drawn by hand', async () => {
    await chooseProfile(page, 'm');
    await loadPicture(page, demoImagePaths()[0]!);
    await page.fill('#key', '');
    expect(await act(page, () => page.click('#identify'))).toBe('error');
    expect(await page.locator('#error').textContent()).toMatch(/^E_UNAUTHORIZED \(HTTP 401\): send an API key/);
    await page.fill('#key', 'fvq_wrong');
    expect(await act(page, () => page.click('#identify'))).toBe('error');
    expect(await page.locator('#error').textContent()).toMatch(/^E_UNAUTHORIZED \(HTTP 401\): unknown API key/);

    await page.fill('#key', ''); // else the page asks for the preview after encoding, and the wrong key is an error
    const blank = join(dir, 'no-face.png');
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 120, g: 140, b: 160 } } }).png().toFile(blank);
    expect(await loadPicture(page, blank)).toBe('error');
    expect(await page.locator('#error').textContent()).toMatch(/^E_NO_FACE: no face found/);
    await page.screenshot({ path: join(ARTIFACTS, 'no-face.png'), fullPage: true });
    for (const [field, value] of [['#box-x', '100'], ['#box-y', '60'], ['#box-w', '120'], ['#box-h', '120']] as const) await page.fill(field, value);
    await page.focus('#encode-box');
    expect(await act(page, () => page.keyboard.press('Enter'))).toBe('encoded'); // keyboard only
    expect(await page.locator('#error').textContent()).toBe('');
    const node = await NodeFaceEncoder.load({ profile: 'm' });
    const fromNode = await node.encodeImage(blank, { box: { x: 100, y: 60, width: 120, height: 120 } });
    expect(await page.locator('#payload-hex').textContent()).toBe(hex(fromNode.payload));
    await node.dispose();
  }, 300_000);
});
