/**
 * What the same crop costs as an image, with this browser's own JPEG and WebP encoders, at the
 * settings the model card compares (`models/README.md`: the 64x64 chip at JPEG q75 and WebP q40,
 * and each codec as small as it goes: JPEG at 16 px q10, WebP at 12 px q1). The model card's JPEG
 * rows are mozjpeg; a browser's libjpeg writes somewhat larger files.
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
    if (blob.type === s.type) out.push({ label: s.label, bytes: blob.size }); // a browser without the type falls back to PNG: leave the row out
  }
  return out;
}
