/**
 * A gallery's writes as values ({@link GalleryWrite}), and {@link RecordWriter}, which checks and
 * applies them to {@link GalleryRecords}. {@link IndexedStore} hands every write to a
 * {@link GalleryWriter}: on one thread ({@link directWriter}: memory, Durable Objects) or on the
 * Node store's writer thread (`write-thread.ts`), which commits many in one transaction.
 *
 * An enrollment is a read-modify-write (the subject's earlier embeddings make its new template),
 * so it is checked and computed where it is written: two enrollments of one subject in flight at
 * once both count.
 */
import { reject } from '../errors.js';
import type { GalleryRef } from '../names.js';
import type { GalleryRecords, GalleryRow, NonceClaim } from './records.js';
import type { EnrollResult, ProfileBinding, StoreLimits } from './types.js';

/** One write to a gallery, keyed by its gallery key `tenant/gallery`. */
export type GalleryWrite =
  | { op: 'enroll'; key: string; ref: GalleryRef; subject: string; profile: ProfileBinding; embeddings: Float32Array[]; now: number }
  | { op: 'deleteSubject'; key: string; subject: string }
  | { op: 'deleteGallery'; key: string }
  | { op: 'claimNonce'; key: string; nonce: string; expiresAt: number; now: number };

/** An enrollment as written: what the route answers, and the template to put in the matrix. */
export interface Enrolled {
  result: EnrollResult;
  template: Float32Array;
}

/** What each write returns: deletes say whether there was something to erase. */
export interface WriteResults {
  enroll: Enrolled;
  deleteSubject: boolean;
  deleteGallery: boolean;
  claimNonce: NonceClaim;
}

/** The result type of a write. */
export type WriteResult<W extends GalleryWrite> = WriteResults[W['op']];

/** Where {@link IndexedStore} sends its writes; each promise resolves once the write is durable. */
export interface GalleryWriter {
  apply<W extends GalleryWrite>(write: W): Promise<WriteResult<W>>;
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

/** `E_PROFILE_MISMATCH` or `E_BAD_REQUEST` unless an embedding of `profile` and `dim` fits the gallery `row`. */
export function checkProfile(row: GalleryRow, profile: ProfileBinding, dim: number): void {
  if (row.profile.sha256 !== profile.sha256) {
    reject('E_PROFILE_MISMATCH', `gallery ${row.gallery} holds profile "${row.profile.name}", the payload uses "${profile.name}"`);
  }
  if (dim !== row.dim) reject('E_BAD_REQUEST', `embedding has ${dim} values, the gallery ${row.dim}`);
}

/**
 * Applies {@link GalleryWrite}s to records, synchronously, enforcing the {@link StoreLimits}.
 * Failures are `ServiceError`s thrown before anything is written. It must be the records' only
 * writer: it counts each gallery's subjects once and then keeps the count.
 */
export class RecordWriter {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly records: GalleryRecords,
    private readonly limits: StoreLimits,
  ) {}

  /** Applies one write; durable on return when the records are (not inside a batch). */
  apply<W extends GalleryWrite>(write: W): WriteResult<W> {
    return this.dispatch(write) as WriteResult<W>;
  }

  /** Forgets the counts, after a batch of writes was rolled back. */
  forgetCounts(): void {
    this.counts.clear();
  }

  private dispatch(w: GalleryWrite): WriteResults[GalleryWrite['op']] {
    switch (w.op) {
      case 'enroll':
        return this.enroll(w);
      case 'deleteSubject': {
        const existed = this.records.deleteSubject(w.key, w.subject);
        const n = this.counts.get(w.key);
        if (existed && n !== undefined) this.counts.set(w.key, n - 1);
        return existed;
      }
      case 'deleteGallery':
        this.counts.delete(w.key);
        return this.records.deleteGallery(w.key);
      case 'claimNonce':
        return this.records.claimNonce(w.key, w.nonce, w.expiresAt, w.now, this.limits.maxNoncesPerGallery);
    }
  }

  private enroll(w: Extract<GalleryWrite, { op: 'enroll' }>): Enrolled {
    const { key, ref, subject, profile, embeddings, now } = w;
    const dim = embeddings[0]?.length ?? 0;
    if (dim === 0 || embeddings.some((e) => e.length !== dim)) reject('E_BAD_REQUEST', 'embeddings must be non-empty and of one length');
    const current = this.records.gallery(key);
    if (current) checkProfile(current, profile, dim);
    const previous = current ? this.records.embeddings(key, subject) : [];
    const isNew = previous.length === 0;
    if (previous.length + embeddings.length > this.limits.maxEmbeddingsPerSubject) {
      reject('E_SUBJECT_FULL', `subject ${subject} would have ${previous.length + embeddings.length} embeddings; at most ${this.limits.maxEmbeddingsPerSubject}`);
    }
    const subjects = current ? this.count(key) : 0;
    if (isNew && subjects >= this.limits.maxSubjectsPerGallery) {
      reject('E_GALLERY_FULL', `gallery ${ref.gallery} holds the maximum of ${this.limits.maxSubjectsPerGallery} subjects`);
    }
    const create: GalleryRow | null = current ? null : { tenant: ref.tenant, gallery: ref.gallery, profile, dim, createdAt: now };
    const template = templateOf([...previous, ...embeddings], dim);
    const info = this.records.write(key, create, { id: subject, template, added: embeddings, now });
    this.counts.set(key, subjects + (isNew ? 1 : 0));
    return { result: { subject: info, created: isNew, galleryCreated: current === null }, template };
  }

  private count(key: string): number {
    let n = this.counts.get(key);
    if (n === undefined) this.counts.set(key, (n = this.records.count(key)));
    return n;
  }
}

/** A {@link GalleryWriter} that applies each write at once, on the caller's thread. */
export function directWriter(writer: RecordWriter): GalleryWriter {
  return { apply: async (write) => writer.apply(write) };
}
