import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodePng } from './png.js';

describe('encodePng', () => {
  it('writes RGB images that an independent decoder (sharp, libspng) reads back exactly', async () => {
    for (const [width, height] of [[1, 1], [64, 64], [7, 3], [300, 2]] as const) {
      const data = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + (i >> 5)) & 0xff);
      const png = await encodePng({ data, width, height });
      const decoded = await sharp(Buffer.from(png)).raw().toBuffer({ resolveWithObject: true });
      expect([decoded.info.width, decoded.info.height, decoded.info.channels, decoded.info.format]).toEqual([width, height, 3, 'raw']);
      expect(Buffer.compare(decoded.data, Buffer.from(data))).toBe(0);
    }
  });

  it('rejects pixels that do not fill the image', async () => {
    await expect(encodePng({ data: new Uint8Array(11), width: 2, height: 2 })).rejects.toThrow(RangeError);
  });
});
