/**
 * The profiles a service holds: the codec's {@link ProfileSet} for decoding, plus what the API
 * shows of each and the binding galleries record. Profiles come in as file bytes (`.fvqp`),
 * which each runtime loads its own way (Node reads `models/`, the Worker imports them as Data
 * modules).
 */
import { decodeGrid, ProfileSet, readProfile, type Extensions, type Mode, type Profile } from '../codec/index.js';
import { Embedder } from './embedder.js';
import type { ProfileBinding } from './store/types.js';

/** A profile as `GET /v1/profiles` shows it. */
export interface ProfileDescription {
  id: number;
  name: string;
  sha256: string;
  grid: { h: number; w: number; k: number[]; dim: number[] };
  maxBytes: number;
  embeddingDim: number;
  thresholds: { far1e2: number; far1e3: number; far1e4: number };
}

/** A decoded payload with its embedding. */
export interface Embedded {
  profile: Profile;
  binding: ProfileBinding;
  mode: Mode;
  extensions: Extensions;
  embedding: Float32Array;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The service's profiles. */
export class ProfileRegistry {
  readonly set: ProfileSet;
  private readonly bindings = new Map<Profile, ProfileBinding>();
  private readonly embedders = new Map<Profile, Embedder>();

  /**
   * Holds `profiles`, building each one's {@link Embedder} tables now (startup, not per request).
   * `wasm`: the compiled `scan.wasm`, for SIMD arithmetic in the embedders.
   */
  constructor(profiles: Iterable<Profile>, wasm?: WebAssembly.Module | null) {
    this.set = new ProfileSet(profiles);
    for (const p of this.set) {
      this.bindings.set(p, { sha256: hex(p.sha256), name: p.name });
      this.embedders.set(p, new Embedder(p, { wasm: wasm ?? null }));
    }
  }

  /** Reads profile files (throws the codec's `E_PROFILE_*` errors for a bad file). */
  static fromFiles(files: Iterable<Uint8Array>, wasm?: WebAssembly.Module | null): ProfileRegistry {
    return new ProfileRegistry([...files].map((f) => readProfile(f)), wasm);
  }

  /** The binding a gallery records for `profile`. */
  binding(profile: Profile): ProfileBinding {
    return this.bindings.get(profile) ?? { sha256: hex(profile.sha256), name: profile.name };
  }

  /** Decodes a payload and embeds its grid; throws the codec's `FacevqError` for a bad payload. */
  embed(payload: Uint8Array): Embedded {
    const decoded = decodeGrid(payload, this.set);
    return {
      profile: decoded.profile,
      binding: this.binding(decoded.profile),
      mode: decoded.mode,
      extensions: decoded.extensions,
      embedding: this.embedders.get(decoded.profile)!.embed(decoded.grid),
    };
  }

  /** Every profile, as the API describes it. */
  describe(): ProfileDescription[] {
    return [...this.set].map((p) => ({
      id: p.id,
      name: p.name,
      sha256: this.binding(p).sha256,
      grid: { h: p.h, w: p.w, k: p.planes.map((g) => g.k), dim: p.planes.map((g) => g.dim) },
      maxBytes: p.maxBytes,
      embeddingDim: p.head.dim,
      thresholds: { ...p.thresholds },
    }));
  }
}
