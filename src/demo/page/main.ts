/**
 * The demo page (`index.html`), all on the user's machine except the three server calls: face
 * detection (face-api, `detect.ts`) or a box drawn by hand (`box-select.ts`), then the SDK's crop,
 * encoder (onnxruntime-web, wasm; the plain-TypeScript runtime when that fails to load) and codec.
 * With a pasted API key: `POST /v1/preview` (the reconstruction), enroll and identify through the
 * SDK's `MatcherClient`. `?runtime=ts` forces the TypeScript runtime.
 *
 * For tests and benchmarks the page states its progress in `body[data-state]` (loading, ready,
 * busy, encoded, error) and exposes `window.facevqDemo`.
 */
import * as ort from 'onnxruntime-web';
import { readProfile, type Profile } from '../../codec/index.js';
import type { FaceBox } from '../../sdk/box-landmarks.js';
import { MatcherClient, MatcherError, type IdentifyResult } from '../../sdk/client.js';
import { FaceEncoder } from '../../sdk/face-encoder.js';
import type { FaceDetector } from '../../sdk/face-detector.js';
import type { RuntimeName } from '../../sdk/frame-encoder.js';
import type { OrtModule } from '../../sdk/runtime/index.js';
import { cropFace, type FaceInput } from '../../sdk/preprocess.js';
import { enableDrag, showBox, typedBox, type BoxControls } from './box-select.js';
import { loadDetector, rgbOf } from './detect.js';
import { imageSizes } from './image-sizes.js';

const base = new URL('./', location.href);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const photo = $<HTMLCanvasElement>('photo');
const cropCanvas = $<HTMLCanvasElement>('crop');
const boxControls: BoxControls = { canvas: photo, x: $('box-x'), y: $('box-y'), width: $('box-w'), height: $('box-h') };
const now = () => performance.now();
const hex = (b: Uint8Array) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');

/** What the page holds: the encoder per profile, the detector, the current image and payload. */
const state: {
  encoders: Map<string, Promise<FaceEncoder>>;
  detector?: Promise<FaceDetector>;
  image?: ImageData;
  payload?: Uint8Array;
  chip?: Uint8Array;
} = { encoders: new Map() };

function setState(name: 'loading' | 'ready' | 'busy' | 'encoded' | 'error'): void {
  document.body.dataset.state = name;
}

function status(text: string): void {
  $('status').textContent = text;
}

/** Shows an error with its code (the API's, the SDK's, or the page's own `E_NO_FACE`). */
function fail(error: unknown): void {
  const code = (error as { code?: string }).code;
  const message = (error as { message?: string }).message ?? String(error);
  $('error').textContent = code && !message.startsWith(code) ? `${code}: ${message}` : message;
  setState('error');
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const response = await fetch(new URL(path, base));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} from the server`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The runtime asked for in the URL (`?runtime=ts`), else onnxruntime-web. */
const wantedRuntime: RuntimeName = new URLSearchParams(location.search).get('runtime') === 'ts' ? 'ts' : 'web';

/** Loads a profile's encoder on `runtime`; onnxruntime-web falls back to the TypeScript runtime. */
async function loadEncoder(name: string, runtime: RuntimeName = wantedRuntime): Promise<FaceEncoder> {
  const profile: Profile = readProfile(await fetchBytes(`models/${name}.fvqp`));
  const modelBytes = await fetchBytes(`models/${profile.encoder?.file ?? 'encoder.onnx'}`);
  if (runtime !== 'web') return FaceEncoder.load({ profile, modelBytes, runtime });
  try {
    return await FaceEncoder.load({ profile, modelBytes, runtime: 'web', ort: ort as unknown as OrtModule, wasmPaths: new URL('vendor/', base).href });
  } catch (error) {
    console.warn('onnxruntime-web did not load; using the TypeScript runtime', error);
    return FaceEncoder.load({ profile, modelBytes, runtime: 'ts' });
  }
}

function encoderFor(name: string): Promise<FaceEncoder> {
  let encoder = state.encoders.get(name);
  if (!encoder) state.encoders.set(name, (encoder = loadEncoder(name)));
  return encoder;
}

const selectedProfile = () => $<HTMLSelectElement>('profile').value;

function fillTable(id: string, rows: (string | number)[][]): void {
  const body = $(id).querySelector('tbody')!;
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      td.textContent = typeof cell === 'number' ? cell.toLocaleString('en', { maximumFractionDigits: 2 }) : cell;
      if (typeof cell === 'number') td.className = 'num';
      tr.append(td);
    }
    return tr;
  }));
}

function drawPhoto(box?: FaceBox): void {
  if (!state.image) return;
  const context = photo.getContext('2d')!;
  context.putImageData(state.image, 0, 0);
  if (!box) return;
  context.lineWidth = Math.max(2, photo.width / 300);
  context.strokeStyle = '#00e676';
  context.strokeRect(box.x, box.y, box.width, box.height);
}

/** Puts a picture (a file's bitmap or a camera frame) on the photo canvas and encodes its face. */
async function takeImage(source: CanvasImageSource, width: number, height: number): Promise<void> {
  photo.width = width;
  photo.height = height;
  const context = photo.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(source, 0, 0);
  state.image = context.getImageData(0, 0, width, height);
  await detectAndEncode();
}

async function detectAndEncode(): Promise<void> {
  const image = state.image!;
  setState('busy');
  $('error').textContent = '';
  status('Looking for a face…');
  const t0 = now();
  const found = await (await state.detector!).detect(rgbOf(image.data, image.width, image.height));
  const detectMs = now() - t0;
  if (!found) {
    drawPhoto();
    fail({ code: 'E_NO_FACE', message: 'E_NO_FACE: no face found in this picture. Drag over the photo to draw the face box, or type it below and press "Encode this box".' });
    return;
  }
  drawPhoto(found.box);
  showBox(boxControls, found.box);
  await encode({ landmarks5: found.landmarks5 }, detectMs);
}

/** Encodes the face of the current image, located by its landmarks or a box. */
async function encode(face: { landmarks5: number[] } | { box: FaceBox }, detectMs?: number): Promise<void> {
  const image = state.image!;
  setState('busy');
  $('error').textContent = ''; // a face found or a box given: the last error (no face, say) no longer holds
  status('Encoding…');
  const encoder = await encoderFor(selectedProfile());
  const input = { pixels: image.data, width: image.width, height: image.height, channels: 4, ...face } as FaceInput;
  const { payload, timings } = await encoder.encode(input, { withTimings: true });
  const size = encoder.profile.crop.size;
  state.payload = payload;
  state.chip = cropFace(input, size);
  showCrop(state.chip, size);
  cropCanvas.dataset.landmarks = JSON.stringify('landmarks5' in face ? face.landmarks5 : null);
  $('payload-size').textContent = String(payload.length);
  $('payload-profile').textContent = encoder.profile.name;
  $('runtime').textContent = encoder.runtime;
  $('payload-hex').textContent = hex(payload);
  fillTable('timings', [
    ...(detectMs === undefined ? [['face box', 'by hand'] as (string | number)[]] : [['detection and landmarks (face-api, wasm)', detectMs]]),
    ['crop and align', timings!.cropMs],
    [`encoder (${encoder.runtime})`, timings!.encoderMs],
    ['quantise', timings!.quantizeMs],
    ['entropy coding', timings!.codecMs],
  ]);
  fillTable('sizes', [[`facevq payload (profile ${encoder.profile.name})`, payload.length], ...(await imageSizes(cropCanvas)).map((s) => [s.label, s.bytes])]);
  for (const id of ['reconstruct', 'enroll', 'identify']) $<HTMLButtonElement>(id).disabled = false;
  status(`Encoded: ${payload.length} bytes. Paste an API key to see what the server makes of them.`);
  setState('encoded');
  if ($<HTMLInputElement>('key').value.trim()) await serverCall(reconstruct);
}

function showCrop(chip: Uint8Array, size: number): void {
  cropCanvas.width = cropCanvas.height = size;
  const rgba = new ImageData(size, size);
  for (let p = 0; p < size * size; p++) rgba.data.set([chip[3 * p]!, chip[3 * p + 1]!, chip[3 * p + 2]!, 255], 4 * p);
  cropCanvas.getContext('2d')!.putImageData(rgba, 0, 0);
}

function client(): MatcherClient {
  const apiKey = $<HTMLInputElement>('key').value.trim();
  return new MatcherClient({ baseUrl: location.origin, retries: 0, ...(apiKey && { apiKey }) });
}

/** `POST /v1/preview`: the server's reconstruction, shown beside the crop. */
async function reconstruct(): Promise<void> {
  const t0 = now();
  const apiKey = $<HTMLInputElement>('key').value.trim();
  const response = await fetch(new URL('/v1/preview', location.origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/vnd.facevq', ...(apiKey && { Authorization: `Bearer ${apiKey}` }) },
    body: state.payload! as Uint8Array<ArrayBuffer>,
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    throw new MatcherError(response.status, (body?.error?.code ?? 'E_HTTP') as never, body?.error?.message ?? response.statusText);
  }
  const png = await response.blob();
  const img = $<HTMLImageElement>('preview');
  const loaded = new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
  img.src = URL.createObjectURL(png);
  await loaded;
  img.alt = `The server's reconstruction from the ${state.payload!.length}-byte payload`;
  $('preview-caption').textContent = `reconstructed by the server from ${state.payload!.length} bytes (${response.headers.get('X-Facevq-Decoder')}, ${img.naturalWidth}x${img.naturalHeight}, ${png.size} B PNG, ${(now() - t0).toFixed(0)} ms round trip)`;
}

async function enroll(): Promise<void> {
  const result = await client().enroll($<HTMLInputElement>('gallery').value, $<HTMLInputElement>('subject').value, state.payload!);
  $('decision').textContent = `Enrolled "${result.subject.id}" in gallery "${result.gallery}" (profile ${result.profile}).`;
  fillTable('candidates', []);
}

async function identify(): Promise<void> {
  const result: IdentifyResult = await client().identify($<HTMLInputElement>('gallery').value, state.payload!, { k: 5 });
  $('decision').textContent = result.match
    ? `Match: "${result.match.subject}" (score ${result.match.score.toFixed(3)} ≥ threshold ${result.threshold.toFixed(3)}, profile ${result.profile})`
    : `No match: no subject scores at least the threshold ${result.threshold.toFixed(3)} (profile ${result.profile})`;
  fillTable('candidates', result.candidates.map((c) => [c.subject, c.score, c.match ? 'yes' : 'no']));
}

/** Runs a server call with the page's busy state and error display. */
async function serverCall(call: () => Promise<void>): Promise<void> {
  if (!state.payload) return;
  setState('busy');
  $('error').textContent = '';
  try {
    await call();
    setState('encoded');
  } catch (error) {
    fail(error);
  }
}

const guard = (task: () => Promise<void>) => () => void task().catch(fail);

async function start(): Promise<void> {
  const health = (await (await fetch(new URL('/healthz', location.origin))).json()) as { profiles: string[] };
  const select = $<HTMLSelectElement>('profile');
  select.replaceChildren(...health.profiles.map((name) => new Option(name, name)));
  state.detector = loadDetector(base);
  const encoder = await encoderFor(selectedProfile());
  await state.detector.catch((error: unknown) => {
    state.detector = Promise.reject(error);
    status('The face detector did not load: drag the face box by hand.');
  });
  $('runtime').textContent = encoder.runtime;
  status(`Ready: encoder on ${encoder.runtime}. Pick a photo.`);
  setState('ready');
}

$<HTMLInputElement>('file').addEventListener('change', guard(async () => {
  const input = $<HTMLInputElement>('file');
  const file = input.files?.[0];
  if (!file) return;
  input.value = ''; // so that picking the same file again encodes it again
  const bitmap = await createImageBitmap(file);
  await takeImage(bitmap, bitmap.width, bitmap.height);
}));
$('profile').addEventListener('change', guard(async () => {
  const box = typedBox(boxControls);
  if (!state.image) return;
  const landmarks = JSON.parse(cropCanvas.dataset.landmarks ?? 'null') as number[] | null;
  await encode(landmarks ? { landmarks5: landmarks } : { box: box! });
}));
$('encode-box').addEventListener('click', guard(async () => {
  const box = typedBox(boxControls);
  if (!state.image || !box) return fail({ code: 'E_INPUT', message: 'E_INPUT: load a picture and give the box as four numbers (width and height above 0).' });
  drawPhoto(box);
  await encode({ box });
}));
enableDrag(boxControls, drawPhoto, (box) => void encode({ box }).catch(fail));
$('camera').addEventListener('click', guard(async () => {
  const video = $<HTMLVideoElement>('video');
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
  } catch (error) {
    return fail({ code: 'E_NO_CAMERA', message: `E_NO_CAMERA: no camera available here (${(error as Error).name}); pick a photo instead.` });
  }
  await video.play();
  video.hidden = false;
  $('snap').hidden = false;
}));
$('snap').addEventListener('click', guard(() => {
  const video = $<HTMLVideoElement>('video');
  return takeImage(video, video.videoWidth, video.videoHeight);
}));
$('reconstruct').addEventListener('click', () => void serverCall(reconstruct));
$('enroll').addEventListener('click', () => void serverCall(enroll));
$('identify').addEventListener('click', () => void serverCall(identify));

/** Times the encoder (crop excluded) on the current face's chip, for `bench/browser.ts`. */
async function timeEncoder(runtime: RuntimeName, faces: number): Promise<{ runtime: string; msPerFace: number[] }> {
  const encoder = await loadEncoder(selectedProfile(), runtime);
  const chip = state.chip!;
  await encoder.encodeChip(chip); // warm up
  const msPerFace: number[] = [];
  for (let i = 0; i < faces; i++) {
    const t0 = now();
    await encoder.encodeChip(chip);
    msPerFace.push(now() - t0);
  }
  await encoder.dispose();
  return { runtime: encoder.runtime, msPerFace };
}

(window as unknown as { facevqDemo: object }).facevqDemo = { timeEncoder, payloadHex: () => state.payload && hex(state.payload) };

start().catch((error: unknown) => {
  status('The page could not start.');
  fail(error);
});
