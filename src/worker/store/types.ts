/**
 * The one storage interface every gallery store implements (memory, SQLite on Node, a Durable
 * Object per gallery on Workers), and the records they return. One shared suite
 * (`test/worker/store-suite.ts`) runs against each.
 *
 * A gallery is created by its first enrollment and bound to that enrollment's profile; embeddings
 * of another profile are refused with `E_PROFILE_MISMATCH`. A subject's template is the
 * normalised mean of its embeddings, which are all kept so more can be added later.
 */
import type { GalleryRef } from '../names.js';
import type { Hit, Precision } from '../match/matrix.js';

/** The profile a gallery is bound to. */
export interface ProfileBinding {
  /** SHA-256 of the profile, hex: its identity (§10.1). */
  sha256: string;
  /** The profile's short name, for display. */
  name: string;
}

/** A gallery's description. */
export interface GalleryInfo {
  tenant: string;
  gallery: string;
  profile: ProfileBinding;
  /** Embedding length. */
  dim: number;
  subjects: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** One enrolled subject. */
export interface SubjectInfo {
  id: string;
  /** How many embeddings make its template. */
  embeddings: number;
  createdAt: number;
  updatedAt: number;
}

/** What an enrollment did. */
export interface EnrollResult {
  subject: SubjectInfo;
  /** True when the subject did not exist before. */
  created: boolean;
  /** True when the gallery did not exist before. */
  galleryCreated: boolean;
}

/** One page of subjects, in id order. */
export interface SubjectPage {
  subjects: SubjectInfo[];
  /** The last id of this page when more may follow, else null. */
  nextAfter: string | null;
}

/** Search options. */
export interface SearchOptions {
  /** How many hits. */
  k: number;
  /** Scan precision (`auto`: int8 from 4096 subjects). @default 'f32' */
  precision?: Precision;
}

/** Limits a store enforces on writes. */
export interface StoreLimits {
  /** @default 1_000_000 */
  maxSubjectsPerGallery: number;
  /** @default 64 */
  maxEmbeddingsPerSubject: number;
  /** Live nonces of signed payloads kept per gallery (§13); beyond, signed requests get 429. @default 100_000 */
  maxNoncesPerGallery: number;
}

/** Default {@link StoreLimits}. */
export const DEFAULT_STORE_LIMITS: StoreLimits = { maxSubjectsPerGallery: 1_000_000, maxEmbeddingsPerSubject: 64, maxNoncesPerGallery: 100_000 };

/**
 * Galleries of subjects. Every method takes the tenant-qualified gallery; failures are
 * `ServiceError`s: `E_NOT_FOUND` (no such gallery or subject), `E_PROFILE_MISMATCH`,
 * `E_SUBJECT_FULL`, `E_GALLERY_FULL`, `E_BAD_REQUEST` (an embedding of the wrong length).
 */
export interface GalleryStore {
  /**
   * Adds L2-normalised `embeddings` to `subject`, creating the gallery (bound to `profile`) and
   * the subject as needed. Durable when the promise resolves.
   */
  enroll(ref: GalleryRef, subject: string, profile: ProfileBinding, embeddings: Float32Array[]): Promise<EnrollResult>;
  /** The `k` subjects most similar to `query`, best first. */
  identify(ref: GalleryRef, profile: ProfileBinding, query: Float32Array, options: SearchOptions): Promise<Hit[]>;
  /** Cosine similarity of `query` with `subject`'s template. */
  verify(ref: GalleryRef, subject: string, profile: ProfileBinding, query: Float32Array): Promise<number>;
  /** The gallery's description. */
  info(ref: GalleryRef): Promise<GalleryInfo>;
  /** Up to `limit` subjects with ids after `after`, in id order. */
  listSubjects(ref: GalleryRef, after: string | null, limit: number): Promise<SubjectPage>;
  /** Erases a subject and its embeddings from storage. */
  deleteSubject(ref: GalleryRef, subject: string): Promise<void>;
  /** Erases a gallery and everything in it. */
  deleteGallery(ref: GalleryRef): Promise<void>;
  /**
   * Records the nonce of a signed payload (§13) until `expiresAt` (ms since the epoch); false when
   * the gallery has already seen it and it has not expired. Durable across restarts; the
   * gallery need not exist. `E_RATE_LIMITED` when the gallery holds the maximum of live nonces.
   */
  claimNonce(ref: GalleryRef, nonce: string, expiresAt: number): Promise<boolean>;
}
