/**
 * Baselines that send pixels instead of indices: the teacher's box crop, downscaled, compressed as
 * JPEG or WebP by sharp, decoded and upscaled at the receiver, then given to the teacher.
 *
 * The crop is exactly the one the teacher sees (face-api clips the box to the image and floors it,
 * then pads the shorter side with black, centred, and resizes to 150x150), so the only difference
 * from `teacher` is the compression.
 *
 * The setting (side in pixels, quality) is chosen once, without labels, on a sample of faces: for
 * each setting of a small grid we measure the mean bytes and the PSNR of the decoded 150x150 crop
 * against the uncompressed one, then take the best PSNR among the settings whose mean bytes fit
 * the budget. Method names:
 * - `jpeg`, `webp`: budget = our mean bytes per face. JPEG and WebP cannot get that small (their
 *   headers alone exceed it), so then the budget becomes the format's smallest mean size plus 10%:
 *   "as close to ours as the format goes".
 * - `jpeg:N`, `webp:N`: budget = N bytes (e.g. `webp:500`), for the smallest size that still
 *   keeps the teacher useful.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Box, FaceApi } from '../../sdk/node/faceapi.js';
import { loadSharp, type RgbImage } from '../../sdk/node/image.js';
import { fingerprint, type PrepareContext, type SourceMethod } from './method.js';

/** The compression formats compared. */
export type ImageFormat = 'jpeg' | 'webp';

/** One compression setting. */
export interface ImageSetting {
  format: ImageFormat;
  /** Side of the square sent, in pixels. */
  side: number;
  quality: number;
  /** JPEG only: mozjpeg's encoder settings (smaller at larger sides; libjpeg-turbo's are smaller below ~48 px). */
  mozjpeg?: boolean;
}

/** The side face-api's descriptor net works at. */
const TEACHER_SIDE = 150;
const SIDES = [8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112];
const QUALITIES = [1, 3, 5, 10, 15, 20, 30, 40, 50, 60, 75, 90];
/** Slack over the format's smallest mean size when our budget is out of its reach. */
const FLOOR_SLACK = 1.1;

/** face-api's crop of `box` (clipped to the image, then floored), padded to a centred square with black. */
export function boxCrop(image: RgbImage, box: Box): RgbImage {
  // face-api Box.clipAtImageBorders(...).floor(), then padToSquare(isCenterImage = true).
  const x0 = Math.max(box.x, 0), y0 = Math.max(box.y, 0);
  const x = Math.floor(x0), y = Math.floor(y0);
  const w = Math.floor(Math.min(box.x + box.width - x0, image.width - x0));
  const h = Math.floor(Math.min(box.y + box.height - y0, image.height - y0));
  if (w < 1 || h < 1) throw new RangeError('boxCrop: box lies outside the image');
  const side = Math.max(w, h);
  const diff = side - Math.min(w, h);
  // padToSquare appends round(diff / 2) after and prepends the rest.
  const before = diff - Math.round(diff / 2);
  const ox = w < h ? before : 0, oy = h < w ? before : 0;
  const data = new Uint8Array(side * side * 3);
  for (let r = 0; r < h; r++) {
    const from = ((y + r) * image.width + x) * 3;
    data.set(image.data.subarray(from, from + w * 3), ((oy + r) * side + ox) * 3);
  }
  return { data, width: side, height: side };
}

function raw(image: RgbImage) {
  return loadSharp()(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function toRgb(pipeline: ReturnType<typeof raw>): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** The square crop downscaled to `side` and compressed. */
export async function compress(crop: RgbImage, setting: ImageSetting): Promise<Uint8Array> {
  const resized = raw(crop).resize(setting.side, setting.side, { fit: 'fill' });
  const encoded = setting.format === 'jpeg'
    ? resized.jpeg({ quality: setting.quality, mozjpeg: setting.mozjpeg === true })
    : resized.webp({ quality: setting.quality, effort: 6 });
  return new Uint8Array(await encoded.toBuffer());
}

/** What the receiver hands the teacher: the decoded image upscaled to 150x150. */
export async function decompress(bytes: Uint8Array): Promise<RgbImage> {
  return toRgb(loadSharp()(bytes).resize(TEACHER_SIDE, TEACHER_SIDE, { fit: 'fill' }));
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return se === 0 ? 99 : 10 * Math.log10((255 * 255 * a.length) / se);
}

/** One row of the calibration table. */
export interface CalibrationRow extends ImageSetting {
  meanBytes: number;
  /** Mean PSNR (dB) of the decoded 150x150 crop against the uncompressed one. */
  psnr: number;
}

/** Measures every setting of the grid on `crops` (square box crops). */
export async function calibrationTable(format: ImageFormat, crops: readonly RgbImage[]): Promise<CalibrationRow[]> {
  const references = await Promise.all(crops.map((c) => toRgb(raw(c).resize(TEACHER_SIDE, TEACHER_SIDE, { fit: 'fill' }))));
  const rows: CalibrationRow[] = [];
  const variants: (boolean | undefined)[] = format === 'jpeg' ? [false, true] : [undefined];
  for (const mozjpeg of variants) {
    for (const side of SIDES) {
      for (const quality of QUALITIES) {
        const setting: ImageSetting = { format, side, quality, ...(mozjpeg !== undefined ? { mozjpeg } : {}) };
        let bytes = 0, decibels = 0;
        for (let i = 0; i < crops.length; i++) {
          const encoded = await compress(crops[i]!, setting);
          bytes += encoded.length;
          decibels += psnr(references[i]!.data, (await decompress(encoded)).data);
        }
        rows.push({ ...setting, meanBytes: bytes / crops.length, psnr: decibels / crops.length });
      }
    }
  }
  return rows;
}

/**
 * The best-PSNR row whose mean bytes fit `budget`; when none fits, the budget becomes the smallest
 * mean size times {@link FLOOR_SLACK}.
 */
export function chooseSetting(table: readonly CalibrationRow[], budget: number): { row: CalibrationRow; budget: number; reachable: boolean } {
  const floor = Math.min(...table.map((r) => r.meanBytes));
  const reachable = floor <= budget;
  const limit = reachable ? budget : floor * FLOOR_SLACK;
  const fits = table.filter((r) => r.meanBytes <= limit);
  const row = fits.reduce((best, r) => (r.psnr > best.psnr ? r : best));
  return { row, budget: limit, reachable };
}

/** Parses `jpeg`, `webp`, `jpeg:300`, `webp:300`; undefined for other names. */
export function parseImageMethod(name: string): { format: ImageFormat; budget?: number } | undefined {
  const m = /^(jpeg|webp)(?::(\d+))?$/.exec(name);
  if (!m) return undefined;
  return { format: m[1] as ImageFormat, ...(m[2] ? { budget: Number(m[2]) } : {}) };
}

/** A JPEG or WebP baseline; {@link SourceMethod.prepare} must run first (it picks the setting). */
export function imageCodecMethod(name: string, faceApi: () => Promise<FaceApi>): SourceMethod {
  const parsed = parseImageMethod(name);
  if (!parsed) throw new RangeError(`not an image codec method: ${name}`);
  let chosen: { row: CalibrationRow; budget: number; reachable: boolean; target: number } | undefined;
  const setting = () => {
    if (!chosen) throw new Error(`${name}: prepare() has not run`);
    return chosen.row;
  };
  return {
    kind: 'source',
    name,
    cacheKey: () => {
      const s = setting();
      return `${name}-${fingerprint([s.format, String(s.side), String(s.quality), String(s.mozjpeg), 'webp effort 6', 'box crop square', String(TEACHER_SIDE)])}`;
    },
    describe: () => {
      const s = setting();
      const why = parsed.budget !== undefined ? `budget ${parsed.budget} B` : chosen!.reachable ? `budget = our ${chosen!.target.toFixed(1)} B` : `our ${chosen!.target.toFixed(1)} B is below the format's floor; smallest size + 10%`;
      const encoder = s.format === 'webp' ? 'WebP' : s.mozjpeg ? 'JPEG (mozjpeg)' : 'JPEG (libjpeg-turbo)';
      return `teacher on a ${s.side}x${s.side} ${encoder} q${s.quality} of its box crop (${why}; calibration ${s.meanBytes.toFixed(0)} B, ${s.psnr.toFixed(1)} dB)`;
    },
    async prepare(sample, context: PrepareContext) {
      const target = parsed.budget ?? context.ourMeanBytes ?? 51;
      const grid = [String(SIDES), String(QUALITIES), 'mozjpeg and not', 'v2'];
      const file = path.join(context.cacheDir, `calibration-${parsed.format}-${fingerprint(sample.map((f) => f.path).concat(grid))}.json`);
      let table: CalibrationRow[];
      if (fs.existsSync(file)) {
        table = JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationRow[];
      } else {
        const crops = await Promise.all(sample.map(async (f) => boxCrop(await f.image(), f.box)));
        table = await calibrationTable(parsed.format, crops);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(table));
      }
      chosen = { ...chooseSetting(table, target), target };
    },
    async embed(face) {
      const encoded = await compress(boxCrop(await face.image(), face.box), setting());
      const embedding = await (await faceApi()).descriptorOfCrop(await decompress(encoded));
      return { embedding, bytes: encoded.length };
    },
  };
}
