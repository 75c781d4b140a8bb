/**
 * A small reader for Netpbm greyscale and colour images (PGM `P2`/`P5`, PPM `P3`/`P6`), which
 * sharp does not decode (measured: sharp 0.35 answers "unsupported image format" for the AT&T
 * faces' `.pgm` files). Format: http://netpbm.sourceforge.net/doc/pgm.html
 */
import type { RgbImage } from './image.js';

/** True when `bytes` start with a Netpbm magic number this module reads. */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && [0x32, 0x33, 0x35, 0x36].includes(bytes[1]!);
}

/** Decodes a PGM or PPM file to RGB (grey repeated in the three channels; maxval scaled to 255). */
export function decodePnm(bytes: Uint8Array): RgbImage {
  if (!isPnm(bytes)) throw new RangeError('pnm: not a P2, P3, P5 or P6 file');
  const kind = String.fromCharCode(bytes[1]!);
  const channels = kind === '3' || kind === '6' ? 3 : 1;
  const binary = kind === '5' || kind === '6';
  let pos = 2;
  const token = (): number => {
    // Whitespace and `#` comments to the end of the line separate header tokens.
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos]!)) pos++;
      if (bytes[pos] !== 0x23) break;
      while (pos < bytes.length && bytes[pos] !== 0x0a && bytes[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos]! >= 0x30 && bytes[pos]! <= 0x39) pos++;
    if (pos === start) throw new RangeError(`pnm: expected a number at byte ${start}`);
    return Number(String.fromCharCode(...bytes.subarray(start, pos)));
  };
  const width = token(), height = token(), maxval = token();
  if (width < 1 || height < 1 || width * height > 1 << 26) throw new RangeError(`pnm: bad size ${width}x${height}`);
  if (maxval < 1 || maxval > 65535) throw new RangeError(`pnm: bad maxval ${maxval}`);
  const samples = width * height * channels;
  const values = new Uint16Array(samples);
  if (binary) {
    pos++; // exactly one whitespace byte ends the header
    const wide = maxval > 255;
    if (bytes.length - pos < samples * (wide ? 2 : 1)) throw new RangeError('pnm: truncated raster');
    for (let i = 0; i < samples; i++) values[i] = wide ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!;
  } else {
    for (let i = 0; i < samples; i++) values[i] = token();
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const v = values[p * channels + (channels === 3 ? c : 0)]!;
      data[p * 3 + c] = maxval === 255 ? v : Math.round((Math.min(v, maxval) * 255) / maxval);
    }
  }
  return { data, width, height };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}
