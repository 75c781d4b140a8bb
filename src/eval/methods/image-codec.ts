/**
 * Baselines that send pixels instead of indices: the face's 64x64 aligned chip (the teacher's and
 * the student's input), downscaled, compressed as JPEG or WebP by sharp, decoded and upscaled back
 * to 64x64 at the receiver, then given to the teacher. The only difference from `teacher` is the
 * compression.
 *
 * The setting (side in pixels, quality) is chosen once, without labels, on a sample of faces: for
 * each setting of a small grid we measure the mean bytes and the PSNR of the decoded 64x64 chip
 * against the uncompressed one, then take the best PSNR among the settings whose mean bytes fit
 * the budget. Method names:
 * - `jpeg`, `webp`: budget = our mean bytes per face. JPEG and WebP cannot get that small (their
 *   headers alone exceed it), so then the budget becomes the format's smallest mean size plus 10%:
 *   "as close to ours as the format goes".
 * - `jpeg:N`, `webp:N`: budget = N bytes (e.g. `webp:500`), for the smallest size that still
 *   keeps the teacher useful (a 64x64 chip at high JPEG quality takes about 1 to 3 KB).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSharp, type RgbImage } from '../../sdk/node/image.js';
import { CHIP_SIDE, faceChip, type Teacher } from '../teacher.js';
import { codeKey } from '../code-versions.js';
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

/** Sides sent, up to the chip's own (larger would only add bytes). */
const SIDES = [8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64];
const QUALITIES = [1, 3, 5, 10, 15, 20, 30, 40, 50, 60, 75, 90];
/** Slack over the format's smallest mean size when our budget is out of its reach. */
const FLOOR_SLACK = 1.1;

/** The code and the image libraries (sharp, libvips, libwebp, mozjpeg) that shape this baseline's output. */
function codeVersion(): string {
  return `${codeKey('detection', 'imageCodec')} sharp ${JSON.stringify(loadSharp().versions)}`;
}

function raw(image: RgbImage) {
  return loadSharp()(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

async function toRgb(pipeline: ReturnType<typeof raw>): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** The chip downscaled to `side` and compressed (sharp leaves an image at its own size untouched). */
export async function compress(chip: RgbImage, setting: ImageSetting): Promise<Uint8Array> {
  const resized = raw(chip).resize(setting.side, setting.side, { fit: 'fill' });
  const encoded = setting.format === 'jpeg'
    ? resized.jpeg({ quality: setting.quality, mozjpeg: setting.mozjpeg === true })
    : resized.webp({ quality: setting.quality, effort: 6 });
  return new Uint8Array(await encoded.toBuffer());
}

/** What the receiver hands the teacher: the decoded image, upscaled back to the chip's side when sent smaller. */
export async function decompress(bytes: Uint8Array): Promise<RgbImage> {
  return toRgb(loadSharp()(bytes).resize(CHIP_SIDE, CHIP_SIDE, { fit: 'fill' }));
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return se === 0 ? 99 : 10 * Math.log10((255 * 255 * a.length) / se);
}

/** One row of the calibration table. */
export interface CalibrationRow extends ImageSetting {
  meanBytes: number;
  /** Mean PSNR (dB) of the decoded chip against the uncompressed one. */
  psnr: number;
}

/** Measures every setting of the grid on `chips` (aligned chips, {@link CHIP_SIDE} square). */
export async function calibrationTable(format: ImageFormat, chips: readonly RgbImage[]): Promise<CalibrationRow[]> {
  const rows: CalibrationRow[] = [];
  const variants: (boolean | undefined)[] = format === 'jpeg' ? [false, true] : [undefined];
  for (const mozjpeg of variants) {
    for (const side of SIDES) {
      for (const quality of QUALITIES) {
        const setting: ImageSetting = { format, side, quality, ...(mozjpeg !== undefined ? { mozjpeg } : {}) };
        let bytes = 0, decibels = 0;
        for (const chip of chips) {
          const encoded = await compress(chip, setting);
          bytes += encoded.length;
          decibels += psnr(chip.data, (await decompress(encoded)).data);
        }
        rows.push({ ...setting, meanBytes: bytes / chips.length, psnr: decibels / chips.length });
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
export function imageCodecMethod(name: string, teacher: Teacher): SourceMethod {
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
      return `${name}-${fingerprint([s.format, String(s.side), String(s.quality), String(s.mozjpeg), 'webp effort 6', `aligned chip ${CHIP_SIDE}`, teacher.id, codeVersion()])}`;
    },
    describe: () => {
      const s = setting();
      const why = parsed.budget !== undefined ? `budget ${parsed.budget} B` : chosen!.reachable ? `budget = our ${chosen!.target.toFixed(1)} B` : `our ${chosen!.target.toFixed(1)} B is below the format's floor; smallest size + 10%`;
      const encoder = s.format === 'webp' ? 'WebP' : s.mozjpeg ? 'JPEG (mozjpeg)' : 'JPEG (libjpeg-turbo)';
      const sent = s.side === CHIP_SIDE ? `the ${CHIP_SIDE}x${CHIP_SIDE} aligned chip` : `the ${CHIP_SIDE}x${CHIP_SIDE} aligned chip downscaled to ${s.side}x${s.side} (upscaled back at the receiver)`;
      return `teacher on ${sent}, ${encoder} q${s.quality} (${why}; calibration ${s.meanBytes.toFixed(0)} B, ${s.psnr.toFixed(1)} dB)`;
    },
    async prepare(sample, context: PrepareContext) {
      const target = parsed.budget ?? context.ourMeanBytes ?? 51;
      const grid = [String(SIDES), String(QUALITIES), 'mozjpeg and not', `aligned chip ${CHIP_SIDE}`, codeVersion()];
      const file = path.join(context.cacheDir, `calibration-${parsed.format}-${fingerprint(sample.map((f) => f.path).concat(grid))}.json`);
      let table: CalibrationRow[];
      if (fs.existsSync(file)) {
        table = JSON.parse(fs.readFileSync(file, 'utf8')) as CalibrationRow[];
      } else {
        table = await calibrationTable(parsed.format, await Promise.all(sample.map(faceChip)));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(table));
      }
      chosen = { ...chooseSetting(table, target), target };
    },
    async embed(face) {
      const encoded = await compress(await faceChip(face), setting());
      return { embedding: await teacher.embedChip(await decompress(encoded)), bytes: encoded.length };
    },
  };
}
