/**
 * Checks of the files a command is given, made before anything slow starts (a model load takes
 * seconds): a missing or unreadable input fails at once with its code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { imageFormat } from '../sdk/image-format.js';
import { CliError } from './errors.js';

/** The first bytes of a file: enough for every signature image-format.ts knows. */
function head(file: string): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const bytes = new Uint8Array(16);
    return bytes.subarray(0, fs.readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** Throws `ENOENT`, `EISDIR` or `E_IMAGE` unless `file` is a non-empty image file. */
export function checkImageFile(file: string): void {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new CliError('ENOENT', `${file}: no such file`);
  if (stat.isDirectory()) throw new CliError('EISDIR', `${file} is a folder, not an image`);
  if (stat.size === 0) throw new CliError('E_IMAGE', `${file} is empty (0 bytes)`);
  if (imageFormat(head(file)) === undefined) throw new CliError('E_IMAGE', `${file} is not a JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, PGM or PPM image`);
}

/** Throws `ENOENT` or `EACCES` unless the folder that will hold `file` exists and is writable. */
export function checkWritableParent(file: string, what: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new CliError('ENOENT', `${what} ${file}: folder ${dir} does not exist`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new CliError('EACCES', `${what} ${file}: folder ${dir} is not writable`);
  }
}
