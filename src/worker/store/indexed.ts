/**
 * A {@link GalleryStore} over any {@link GalleryRecords}: rows are the truth, and each gallery's
 * templates are also held in memory as one {@link EmbeddingMatrix}, loaded on first use and kept
 * in step with every write (storage first, then memory, so a failed write changes nothing).
 *
 * The work is synchronous; the methods are async only to fit the interface, so on one thread
 * (Node, or a Durable Object) no two operations interleave.
 */
import { reject } from '../errors.js';
import { EmbeddingMatrix, type Hit } from '../match/matrix.js';
import { galleryKey, type GalleryRef } from '../names.js';
import type { GalleryRecords, GalleryRow } from './records.js';
import {
  DEFAULT_STORE_LIMITS,
  type EnrollResult,
  type GalleryInfo,
  type GalleryStore,
  type ProfileBinding,
  type SearchOptions,
  type StoreLimits,
  type SubjectPage,
} from './types.js';

/** Options of {@link IndexedStore}. */
export interface IndexedStoreOptions {
  /** The compiled `scan.wasm` for SIMD scans; plain JS when absent. */
  wasm?: WebAssembly.Module | null;
  /** Keep int8 copies of the matrices for `precision: 'i8'`. @default true */
  int8?: boolean;
  limits?: Partial<StoreLimits>;
  /** Milliseconds since the epoch. @default Date.now */
  clock?: () => number;
}

interface Loaded {
  row: GalleryRow;
  matrix: EmbeddingMatrix;
}

/** The L2-normalised mean of unit vectors: a subject's template. */
export function templateOf(embeddings: readonly Float32Array[], dim: number): Float32Array {
  const sum = new Float64Array(dim);
  for (const e of embeddings) for (let i = 0; i < dim; i++) sum[i]! += e[i]!;
  let ss = 0;
  for (let i = 0; i < dim; i++) ss += sum[i]! * sum[i]!;
  const inv = 1 / Math.max(Math.sqrt(ss), 1e-12);
  return Float32Array.from(sum, (v) => v * inv);
}

/** Galleries in {@link GalleryRecords}, matched in memory. */
export class IndexedStore implements GalleryStore {
  private readonly loaded = new Map<string, Loaded>();
  private readonly limits: StoreLimits;
  private readonly clock: () => number;

  constructor(
    private readonly records: GalleryRecords,
    private readonly options: IndexedStoreOptions = {},
  ) {
    this.limits = { ...DEFAULT_STORE_LIMITS, ...options.limits };
    this.clock = options.clock ?? Date.now;
  }

  async enroll(ref: GalleryRef, subject: string, profile: ProfileBinding, embeddings: Float32Array[]): Promise<EnrollResult> {
    const key = galleryKey(ref);
    const dim = embeddings[0]?.length ?? 0;
    if (dim === 0 || embeddings.some((e) => e.length !== dim)) reject('E_BAD_REQUEST', 'embeddings must be non-empty and of one length');
    const current = this.load(key);
    if (current) this.checkProfile(current.row, profile, dim);
    const previous = current ? this.records.embeddings(key, subject) : [];
    const isNew = previous.length === 0;
    if (previous.length + embeddings.length > this.limits.maxEmbeddingsPerSubject) {
      reject('E_SUBJECT_FULL', `subject ${subject} would have ${previous.length + embeddings.length} embeddings; at most ${this.limits.maxEmbeddingsPerSubject}`);
    }
    if (isNew && (current?.matrix.size ?? 0) >= this.limits.maxSubjectsPerGallery) {
      reject('E_GALLERY_FULL', `gallery ${ref.gallery} holds the maximum of ${this.limits.maxSubjectsPerGallery} subjects`);
    }
    const now = this.clock();
    const create: GalleryRow | null = current ? null : { tenant: ref.tenant, gallery: ref.gallery, profile, dim, createdAt: now };
    const template = templateOf([...previous, ...embeddings], dim);
    const info = this.records.write(key, create, { id: subject, template, added: embeddings, now });
    const target = current ?? this.cache(key, create!);
    target.matrix.set(subject, template);
    return { subject: info, created: isNew, galleryCreated: current === null };
  }

  async identify(ref: GalleryRef, profile: ProfileBinding, query: Float32Array, options: SearchOptions): Promise<Hit[]> {
    const g = this.require(ref);
    this.checkProfile(g.row, profile, query.length);
    return g.matrix.search(query, options.k, options.precision ?? 'f32');
  }

  async verify(ref: GalleryRef, subject: string, profile: ProfileBinding, query: Float32Array): Promise<number> {
    const g = this.require(ref);
    this.checkProfile(g.row, profile, query.length);
    return g.matrix.score(subject, query) ?? reject('E_NOT_FOUND', `no subject ${subject} in gallery ${ref.gallery}`);
  }

  async info(ref: GalleryRef): Promise<GalleryInfo> {
    const g = this.require(ref);
    return { ...g.row, subjects: g.matrix.size };
  }

  async listSubjects(ref: GalleryRef, after: string | null, limit: number): Promise<SubjectPage> {
    const key = galleryKey(ref);
    this.require(ref);
    const subjects = this.records.subjects(key, after, limit + 1);
    const more = subjects.length > limit;
    if (more) subjects.length = limit;
    return { subjects, nextAfter: more ? subjects[subjects.length - 1]!.id : null };
  }

  async deleteSubject(ref: GalleryRef, subject: string): Promise<void> {
    const key = galleryKey(ref);
    const g = this.require(ref);
    if (!this.records.deleteSubject(key, subject)) reject('E_NOT_FOUND', `no subject ${subject} in gallery ${ref.gallery}`);
    g.matrix.delete(subject);
  }

  async deleteGallery(ref: GalleryRef): Promise<void> {
    const key = galleryKey(ref);
    this.require(ref);
    this.records.deleteGallery(key);
    this.loaded.delete(key);
  }

  async claimNonce(ref: GalleryRef, nonce: string, expiresAt: number): Promise<boolean> {
    const claim = this.records.claimNonce(galleryKey(ref), nonce, expiresAt, this.clock(), this.limits.maxNoncesPerGallery);
    if (claim === 'full') reject('E_RATE_LIMITED', `gallery ${ref.gallery} holds the maximum of ${this.limits.maxNoncesPerGallery} recent signed payloads`, { 'Retry-After': '1' });
    return claim === 'claimed';
  }

  /** The gallery, loading its matrix on first use; `E_NOT_FOUND` when absent. */
  private require(ref: GalleryRef): Loaded {
    return this.load(galleryKey(ref)) ?? reject('E_NOT_FOUND', `no gallery ${ref.gallery}`);
  }

  private load(key: string): Loaded | null {
    const hit = this.loaded.get(key);
    if (hit) return hit;
    const row = this.records.gallery(key);
    if (!row) return null;
    const g = this.cache(key, row);
    for (const [id, template] of this.records.templates(key)) g.matrix.set(id, template);
    return g;
  }

  private cache(key: string, row: GalleryRow): Loaded {
    const matrix = new EmbeddingMatrix(row.dim, { wasm: this.options.wasm ?? null, int8: this.options.int8 ?? true });
    const g = { row, matrix };
    this.loaded.set(key, g);
    return g;
  }

  private checkProfile(row: GalleryRow, profile: ProfileBinding, dim: number): void {
    if (row.profile.sha256 !== profile.sha256) {
      reject('E_PROFILE_MISMATCH', `gallery ${row.gallery} holds profile "${row.profile.name}", the payload uses "${profile.name}"`);
    }
    if (dim !== row.dim) reject('E_BAD_REQUEST', `embedding has ${dim} values, the gallery ${row.dim}`);
  }
}
