/**
 * The preview's decoders on Node: `decoder-NAME.onnx` beside the profiles decodes profile NAME, on
 * onnxruntime-node, loaded on first use. The shipped models have `decoder-m.onnx` only (training
 * trains one decoder, on `m`'s codebook vectors), so profile `s` has no preview.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from '../../codec/index.js';
import { FaceEncoderError } from '../../sdk/errors.js';
import { GridDecoder } from '../preview/decoder.js';
import type { PreviewDecoders } from '../routes/preview.js';

/** The decoder file of a profile. */
export const decoderFile = (profile: Profile): string => `decoder-${profile.name}.onnx`;

/** Decoders read from `dir`, each loaded the first time its profile is previewed. */
export function nodePreviewDecoders(dir: string): PreviewDecoders {
  const loaded = new Map<Profile, Promise<GridDecoder>>();
  return {
    async decoderFor(profile) {
      const file = decoderFile(profile);
      const path = join(dir, file);
      if (!existsSync(path)) return { missing: `this server has no decoder for profile "${profile.name}" (no ${file} beside its profiles)` };
      let decoder = loaded.get(profile);
      if (!decoder) {
        decoder = GridDecoder.load(new Uint8Array(readFileSync(path)), profile);
        loaded.set(profile, decoder);
        decoder.catch(() => loaded.delete(profile)); // a later request retries (and reports) the failure
      }
      try {
        return { decoder: await decoder, file };
      } catch (error) {
        if (error instanceof FaceEncoderError && error.code === 'E_RUNTIME_UNAVAILABLE') return { missing: `${file} needs onnxruntime-node on the server: ${error.message}` };
        throw error;
      }
    },
  };
}
