import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegSizeWithoutMetadata, webpSizeWithoutMetadata } from './image-sizes.js';

type Sharp = ReturnType<typeof sharp>;

/** A 64x64 test image. */
const image = () => sharp(Buffer.from(Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7) & 0xff)), { raw: { width: 64, height: 64, channels: 3 } });

describe('image sizes without metadata', () => {
  const cases = [
    { format: 'jpeg', write: (s: Sharp) => s.jpeg({ quality: 75 }), size: jpegSizeWithoutMetadata },
    { format: 'webp', write: (s: Sharp) => s.webp({ quality: 40 }), size: webpSizeWithoutMetadata },
  ] as const;
  it.each(cases)('counts a $format with an ICC profile and EXIF as the same file without them', async ({ write, size }) => {
    const bare = await write(image()).toBuffer();
    const tagged = await write(image().withIccProfile('srgb').withExif({ IFD0: { Copyright: 'facevq test' } })).toBuffer();
    expect(tagged.length).toBeGreaterThan(bare.length + 100);
    expect(size(new Uint8Array(tagged))).toBe(bare.length);
    expect(size(new Uint8Array(bare))).toBe(bare.length);
  });
});
