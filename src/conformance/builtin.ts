/** The built-in codec (src/codec) behind the conformance protocol, as the runner's default implementation. */

import fs from 'node:fs';
import {
  decodeBatch,
  decodeGrid,
  encodeGrid,
  isFacevqError,
  readProfile,
  ProfileSet,
  type Profile,
} from '../codec/index.js';
import type { Implementation } from './adapter.js';
import { extensionsFromJson, extensionsToJson, fromHex, toHex, type Answer, type ProfileRef, type Request } from './protocol.js';

/** Answers a failure of the codec with its code; anything untyped propagates, and the runner fails that case (not the run). */
function failure(e: unknown): Answer {
  if (isFacevqError(e)) return { ok: false, error: e.code };
  throw e;
}

/** The codec as an {@link Implementation}; profiles are read once per path. */
export function builtinImplementation(): Implementation {
  const profiles = new Map<string, Profile>();
  const load = (file: string): Profile => {
    let p = profiles.get(file);
    if (p === undefined) {
      p = readProfile(new Uint8Array(fs.readFileSync(file)));
      profiles.set(file, p);
    }
    return p;
  };
  const held = (ref: ProfileRef): Profile | ProfileSet =>
    typeof ref === 'string' ? load(ref) : new ProfileSet(ref.map(load));

  const answer = (req: Request): Answer => {
    try {
      switch (req.op) {
        case 'decode': {
          const d = decodeGrid(fromHex(req.hex), held(req.profile));
          return { ok: true, mode: d.mode, grid: [...d.grid], extensions: extensionsToJson(d.extensions) };
        }
        case 'encode': {
          const ext = extensionsFromJson(req.extensions);
          const bytes = encodeGrid(req.grid, load(req.profile), {
            mode: req.mode,
            ...(req.contexts !== undefined && { contexts: req.contexts }),
            ...(req.fast !== undefined && { fast: req.fast }),
            ...(ext !== undefined && { extensions: ext }),
          });
          return { ok: true, hex: toHex(bytes) };
        }
        case 'profile': {
          const p = readProfile(fromHex(req.hex));
          return { ok: true, id: p.id, name: p.name, sha256: toHex(p.sha256) };
        }
        case 'batch': {
          const set = held(req.profile);
          const items = decodeBatch(fromHex(req.hex)).map((item) => {
            try {
              const d = decodeGrid(item.payload, set);
              return { id: item.id, ok: true as const, mode: d.mode, grid: [...d.grid], extensions: extensionsToJson(d.extensions) };
            } catch (e) {
              return { id: item.id, ...(failure(e) as { ok: false; error: string }) };
            }
          });
          return { ok: true, items };
        }
        default:
          return { ok: false, error: 'unsupported' };
      }
    } catch (e) {
      return failure(e);
    }
  };

  return {
    name: 'built-in',
    request: async (req) => answer(req),
    close: async () => {},
  };
}
