/**
 * What the same crop costs as an image, with this browser's own JPEG and WebP encoders, at the
 * settings the model card compares (`models/README.md`: the 64x64 chip at JPEG q75 and WebP q40,
 * and each codec as small as it goes: JPEG at 16 px q10, WebP at 12 px q1). Chromium embeds an
 * ICC profile (about 500 bytes) that the model card's files (sharp, which drops metadata) do not
 * carry, so metadata is not counted: JPEG APPn and COM segments, WebP ICCP, EXIF, XMP and VP8X
 * chunks. The model card's JPEG rows are mozjpeg; a browser's libjpeg writes larger files.
 */

/** One comparison row. */
export interface ImageSize {
  label: string;
  bytes: number;
}

const SETTINGS = [
  { label: 'JPEG of the crop, 64 px, q75', type: 'image/jpeg', side: 64, quality: 0.75 },
  { label: 'WebP of the crop, 64 px, q40', type: 'image/webp', side: 64, quality: 0.4 },
  { label: 'JPEG as small as it goes, 16 px, q10', type: 'image/jpeg', side: 16, quality: 0.1 },
  { label: 'WebP as small as it goes, 12 px, q1', type: 'image/webp', side: 12, quality: 0.01 },
] as const;

function encoded(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error(`this browser cannot write ${type}`))), type, quality));
}

/** Bytes of a JPEG file less its APPn (0xFFE0-0xFFEF) and COM (0xFFFE) segments (ITU T.81 B.1.1.4). */
export function jpegSizeWithoutMetadata(jpeg: Uint8Array): number {
  let at = 2, dropped = 0; // after SOI
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    if (marker === 0xda) break; // SOS: entropy-coded data follows
    const length = 2 + ((jpeg[at + 2]! << 8) | jpeg[at + 3]!);
    if ((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe) dropped += length;
    at += length;
  }
  return jpeg.length - dropped;
}

/** Bytes of a WebP file less its metadata chunks (RIFF: 12-byte header, then fourcc, size LE, data padded to even). */
export function webpSizeWithoutMetadata(webp: Uint8Array): number {
  const metadata = new Set(['ICCP', 'EXIF', 'XMP ', 'VP8X']);
  let at = 12, dropped = 0;
  while (at + 8 <= webp.length) {
    const fourcc = String.fromCharCode(...webp.subarray(at, at + 4));
    const size = (webp[at + 4]! | (webp[at + 5]! << 8) | (webp[at + 6]! << 16) | (webp[at + 7]! << 24)) >>> 0;
    const chunk = 8 + size + (size & 1);
    if (metadata.has(fourcc)) dropped += chunk;
    at += chunk;
  }
  return webp.length - dropped;
}

/** The sizes of `crop` (a canvas holding the chip) in each setting this browser can write. */
export async function imageSizes(crop: HTMLCanvasElement): Promise<ImageSize[]> {
  const out: ImageSize[] = [];
  for (const s of SETTINGS) {
    const scaled = document.createElement('canvas');
    scaled.width = scaled.height = s.side;
    const context = scaled.getContext('2d')!;
    context.imageSmoothingQuality = 'high';
    context.drawImage(crop, 0, 0, s.side, s.side);
    const blob = await encoded(scaled, s.type, s.quality);
    if (blob.type !== s.type) continue; // a browser without the type falls back to PNG: leave the row out
    const bytes = new Uint8Array(await blob.arrayBuffer());
    out.push({ label: s.label, bytes: s.type === 'image/jpeg' ? jpegSizeWithoutMetadata(bytes) : webpSizeWithoutMetadata(bytes) });
  }
  return out;
}
