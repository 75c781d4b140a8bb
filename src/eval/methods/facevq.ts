/**
 * Ours, through the whole product path: the device encoder turns the image and its landmarks into
 * wire bytes; the receiver decodes them with the codec (`decodeGrid`, all checks of §8) and runs
 * the TypeScript head (`embedGrid`, §10.4). Bytes = the payload's length, headers included.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeGrid, embedGrid, readProfile, type Profile } from '../../codec/index.js';
import { loadPayloadEncoder, encoderModelFile, type PayloadEncoder } from './device-encoder.js';
import { codeKey } from '../code-versions.js';
import { fingerprint, type SourceMethod } from './method.js';

/** A profile file and what it holds. */
export interface LoadedProfile {
  file: string;
  profile: Profile;
}

/** Resolves `--profile` values: a path to a `.fvqp` file, or a name looked up as `<modelsDir>/<name>.fvqp`. */
export function resolveProfileFile(spec: string, modelsDir: string): string {
  if (fs.existsSync(spec) && fs.statSync(spec).isFile()) return spec;
  const named = path.join(modelsDir, `${spec}.fvqp`);
  if (fs.existsSync(named)) return named;
  throw new RangeError(`no profile ${JSON.stringify(spec)} (neither a file nor ${named})`);
}

/** Every `<modelsDir>/*.fvqp`, sorted by name. */
export function shippedProfiles(modelsDir: string): string[] {
  if (!fs.existsSync(modelsDir)) return [];
  return fs.readdirSync(modelsDir).filter((f) => f.endsWith('.fvqp')).sort().map((f) => path.join(modelsDir, f));
}

/** Reads and validates a profile file. */
export function loadProfile(file: string): LoadedProfile {
  return { file, profile: readProfile(new Uint8Array(fs.readFileSync(file))) };
}

/** `facevq:NAME`: our payload, decoded and embedded by the receiver's code. */
export function facevqMethod(loaded: LoadedProfile, modelsDir: string): SourceMethod & { encoder(): Promise<PayloadEncoder> } {
  const { profile, file } = loaded;
  let encoder: Promise<PayloadEncoder> | undefined;
  const getEncoder = () => (encoder ??= loadPayloadEncoder(profile, file, modelsDir));
  const modelFile = encoderModelFile(profile, file, modelsDir);
  return {
    kind: 'source',
    name: `facevq:${profile.name}`,
    cacheKey: () => `facevq_${profile.name}-${fingerprint([{ file }, { file: modelFile }, 'sdk FaceEncoder', 'auto mode', codeKey('detection', 'ours')])}`,
    describe: () =>
      `ours: ${path.basename(modelFile)} on the SDK's ${profile.crop.size}x${profile.crop.size} crop, profile ${path.basename(file)} (${profile.h}x${profile.w}x${profile.planes.length} grid, K=${profile.planes.map((p) => p.k).join('/')}, max ${profile.maxBytes} B), codec decode, TS head`,
    encoder: getEncoder,
    async embed(face) {
      const { payload } = await (await getEncoder()).encode(await face.image(), face.landmarks5);
      const decoded = decodeGrid(payload, profile); // what the receiver gets: only the bytes
      return { embedding: embedGrid(decoded.grid, profile), bytes: payload.length };
    },
  };
}
