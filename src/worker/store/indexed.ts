/**
 * A {@link GalleryStore} over any {@link GalleryRecords}: rows are the truth, and each gallery's
 * templates are also held in memory as one {@link EmbeddingMatrix}, loaded on first use and kept
 * in step with every write (storage first, then memory, so a failed write changes nothing).
 *
 * Reads (identify, verify, info, lists) run here, on the caller's thread. Writes go to a
 * {@link GalleryWriter}: by default applied at once on this thread (memory, Durable Objects);
 * the Node store passes its writer thread, so a commit's fsync never holds up a read. The matrix
 * takes a write when the writer says it is durable, so no read sees an enrollment before it is.
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
import { checkProfile, directWriter, RecordWriter, type GalleryWriter } from './writes.js';

export { templateOf } from './writes.js';

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

/** The limits of `options`, defaults filled in. */
export function storeLimits(options: IndexedStoreOptions): StoreLimits {
  return { ...DEFAULT_STORE_LIMITS, ...options.limits };
}

/** Galleries in {@link GalleryRecords}, matched in memory. */
export class IndexedStore implements GalleryStore {
  private readonly loaded = new Map<string, Loaded>();
  private readonly clock: () => number;
  private readonly writer: GalleryWriter;

  /** `writer`: where writes go; by default a {@link RecordWriter} over `records` on this thread. */
  constructor(
    private readonly records: GalleryRecords,
    private readonly options: IndexedStoreOptions = {},
    writer?: GalleryWriter,
  ) {
    this.clock = options.clock ?? Date.now;
    this.writer = writer ?? directWriter(new RecordWriter(records, storeLimits(options)));
  }

  async enroll(ref: GalleryRef, subject: string, profile: ProfileBinding, embeddings: Float32Array[]): Promise<EnrollResult> {
    const key = galleryKey(ref);
    const { result, template } = await this.writer.apply({ op: 'enroll', key, ref, subject, profile, embeddings, now: this.clock() });
    // A gallery not yet in memory is loaded from storage, which holds this write already.
    this.load(key)?.matrix.set(subject, template);
    return result;
  }

  async identify(ref: GalleryRef, profile: ProfileBinding, query: Float32Array, options: SearchOptions): Promise<Hit[]> {
    const g = this.require(ref);
    checkProfile(g.row, profile, query.length);
    return g.matrix.search(query, options.k, options.precision ?? 'f32');
  }

  async verify(ref: GalleryRef, subject: string, profile: ProfileBinding, query: Float32Array): Promise<number> {
    const g = this.require(ref);
    checkProfile(g.row, profile, query.length);
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
    this.require(ref);
    if (!(await this.writer.apply({ op: 'deleteSubject', key, subject }))) reject('E_NOT_FOUND', `no subject ${subject} in gallery ${ref.gallery}`);
    this.loaded.get(key)?.matrix.delete(subject);
  }

  async deleteGallery(ref: GalleryRef): Promise<void> {
    const key = galleryKey(ref);
    this.require(ref);
    await this.writer.apply({ op: 'deleteGallery', key });
    this.loaded.delete(key);
  }

  async claimNonce(ref: GalleryRef, nonce: string, expiresAt: number): Promise<boolean> {
    const claim = await this.writer.apply({ op: 'claimNonce', key: galleryKey(ref), nonce, expiresAt, now: this.clock() });
    const max = storeLimits(this.options).maxNoncesPerGallery;
    if (claim === 'full') reject('E_RATE_LIMITED', `gallery ${ref.gallery} holds the maximum of ${max} recent signed payloads`, { 'Retry-After': '1' });
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
    const matrix = new EmbeddingMatrix(row.dim, { wasm: this.options.wasm ?? null, int8: this.options.int8 ?? true });
    for (const [id, template] of this.records.templates(key)) matrix.set(id, template);
    const g = { row, matrix };
    this.loaded.set(key, g);
    return g;
  }
}
