import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jpegSizeWithoutMetadata, webpSizeWithoutMetadata } from './image-sizes.js';

/** A 64x64 test image. */
const image = () => sharp(Buffer.from(Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7) & 0xff)), { raw: { width: 64, height: 64, channels: 3 } });

describe('image sizes without metadata', () => {
  it('counts a JPEG with an ICC profile and EXIF as the same JPEG without them', async () => {
    const bare = await image().jpeg({ quality: 75 }).toBuffer();
    const tagged = await image().withIccProfile('srgb').withExif({ IFD0: { Copyright: 'facevq test' } }).jpeg({ quality: 75 }).toBuffer();
    expect(tagged.length).toBeGreaterThan(bare.length + 100);
    expect(jpegSizeWithoutMetadata(new Uint8Array(tagged))).toBe(bare.length);
    expect(jpegSizeWithoutMetadata(new Uint8Array(bare))).toBe(bare.length);
  });

  it('counts a WebP with an ICC profile and EXIF as the same WebP without them', async () => {
    const bare = await image().webp({ quality: 40 }).toBuffer();
    const tagged = await image().withIccProfile('srgb').withExif({ IFD0: { Copyright: 'facevq test' } }).webp({ quality: 40 }).toBuffer();
    expect(tagged.length).toBeGreaterThan(bare.length + 100);
    expect(webpSizeWithoutMetadata(new Uint8Array(tagged))).toBe(bare.length);
    expect(webpSizeWithoutMetadata(new Uint8Array(bare))).toBe(bare.length);
  });
});
