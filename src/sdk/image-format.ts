/**
 * Image files recognised by their first bytes (their "magic numbers"), with no decoder: the
 * Node SDK checks a file before handing it to sharp, and the service tells a client that posted
 * a photo where a payload belongs. Runtime-free.
 */

/** An image format this module recognises. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heif' | 'pnm';

const ascii = (bytes: Uint8Array, at: number, text: string): boolean => {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

/** The format whose signature `bytes` starts with, or undefined. */
export function imageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  if (ascii(bytes, 0, 'II*\0') || ascii(bytes, 0, 'MM\0*')) return 'tiff';
  if (ascii(bytes, 4, 'ftyp') && ['avif', 'avis', 'heic', 'heix', 'mif1', 'msf1'].some((brand) => ascii(bytes, 8, brand))) return 'heif';
  // Netpbm: P2 (ASCII grey), P3 (ASCII colour), P5 (grey), P6 (colour), then whitespace.
  if (bytes.length >= 3 && bytes[0] === 0x50 && [0x32, 0x33, 0x35, 0x36].includes(bytes[1]!) && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[2]!)) return 'pnm';
  return undefined;
}
