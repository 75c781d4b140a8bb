import { describe, expect, it } from 'vitest';
import { imageFormat } from './image-format.js';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe('imageFormat', () => {
  it('recognises each format by its signature', () => {
    expect(imageFormat(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(imageFormat(bytes('\x89PNG\r\n\x1a\n', [0, 0]))).toBe('png');
    expect(imageFormat(bytes('GIF89a'))).toBe('gif');
    expect(imageFormat(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp');
    expect(imageFormat(bytes('II*', [0]))).toBe('tiff');
    expect(imageFormat(bytes([0, 0, 0, 0x1c], 'ftypavif'))).toBe('heif');
    expect(imageFormat(bytes('P6\n64 64\n255\n'))).toBe('pnm');
  });

  it('answers undefined for anything else, empty and truncated signatures included', () => {
    expect(imageFormat(new Uint8Array(0))).toBeUndefined();
    expect(imageFormat(bytes([0xff, 0xd8]))).toBeUndefined();
    expect(imageFormat(bytes('RIFF', [1, 2, 3, 4], 'WAVE'))).toBeUndefined();
    expect(imageFormat(bytes('P7\n'))).toBeUndefined();
    expect(imageFormat(bytes([0x04, 0x41, 0x00]))).toBeUndefined(); // a facevq payload's first bytes
  });
});
