/**
 * The models that ship in the package (`models/`: profiles `m.fvqp`, `s.fvqp`, `xs.fvqp` and the encoder
 * ONNX they name). Node reads them from disk, resolved relative to this module so the source tree
 * (`src/sdk/`) and the built package (`dist/`) both find them. Elsewhere (browsers, Workers, React
 * Native) nothing is read or fetched: the app passes the bytes.
 */
import { importOptional } from './_optional.js';
import { FaceEncoderError } from './errors.js';

/** Names of the profiles that ship in `models/` (the first is the recommended default). */
export const SHIPPED_PROFILES = ['m', 's', 'xs'] as const;

/** A shipped profile's name. */
export type ShippedProfile = (typeof SHIPPED_PROFILES)[number];

/** The encoder file a profile names when it has no `encoder` entry. */
export const DEFAULT_ENCODER_FILE = 'encoder.onnx';

type Fs = typeof import('node:fs/promises');

/** Candidate `models/` folders: next to `dist/` in the package, two levels up from `src/sdk/`. */
function candidates(modelsDir?: string | URL): (string | URL)[] {
  if (modelsDir !== undefined) return [modelsDir];
  const out: URL[] = [];
  for (const rel of ['../models/', '../../models/']) {
    try {
      out.push(new URL(rel, import.meta.url));
    } catch {
      // no import.meta.url (a CommonJS build without shims): only an explicit modelsDir works
    }
  }
  return out;
}

function join(dir: string | URL, file: string): string | URL {
  if (dir instanceof URL) return new URL(file, dir.href.endsWith('/') ? dir : new URL(dir.href + '/'));
  return dir.endsWith('/') || dir.endsWith('\\') ? dir + file : `${dir}/${file}`;
}

/**
 * Reads `file` from the package's `models/` folder (or `modelsDir`). Throws
 * {@link FaceEncoderError} `E_MODEL_MISSING` outside Node or when no candidate folder holds it.
 */
export async function readShippedFile(file: string, modelsDir?: string | URL): Promise<Uint8Array> {
  if (!/^[\w.-]+$/.test(file) || file.startsWith('.')) throw new FaceEncoderError('E_INPUT', `not a model file name: ${JSON.stringify(file)}`);
  const fs = await importOptional<Fs>('node:fs/promises');
  if (!fs?.readFile) {
    throw new FaceEncoderError('E_MODEL_MISSING', `cannot read ${file} here (no file system): pass the profile and model bytes (profile, modelBytes)`);
  }
  const tried: string[] = [];
  for (const dir of candidates(modelsDir)) {
    const where = join(dir, file);
    try {
      return new Uint8Array(await fs.readFile(where));
    } catch {
      tried.push(String(where));
    }
  }
  throw new FaceEncoderError('E_MODEL_MISSING', `${file} not found (looked in ${tried.join(', ') || 'no folder'})`);
}
