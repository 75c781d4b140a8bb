/**
 * Synchronous persistence under {@link IndexedStore}: the rows a gallery store keeps, with no
 * matching logic. Implemented over Maps (memory) and over SQL (`sql-records.ts`: better-sqlite3 on
 * Node, Durable Object SQLite storage on Workers). Every method is one atomic step.
 */
import type { ProfileBinding, SubjectInfo } from './types.js';

/** A gallery's row. */
export interface GalleryRow {
  tenant: string;
  gallery: string;
  profile: ProfileBinding;
  dim: number;
  createdAt: number;
}

/** One subject's write: its new template and the embeddings to append. */
export interface SubjectWrite {
  id: string;
  template: Float32Array;
  added: Float32Array[];
  now: number;
}

/** Rows of galleries, subjects and embeddings, keyed by the gallery key `tenant/gallery`. */
export interface GalleryRecords {
  /** The gallery's row, or null. */
  gallery(key: string): GalleryRow | null;
  /** Every subject's template, for loading the matrix. */
  templates(key: string): Iterable<[id: string, template: Float32Array]>;
  /** One subject's info, or null. */
  subject(key: string, id: string): SubjectInfo | null;
  /** One subject's embeddings, oldest first (empty when absent). */
  embeddings(key: string, id: string): Float32Array[];
  /** Number of subjects. */
  count(key: string): number;
  /** Subjects with id > `after`, in id order. */
  subjects(key: string, after: string | null, limit: number): SubjectInfo[];
  /**
   * In one transaction: creates the gallery row when `create` is given, upserts the subject with
   * its template, appends its embeddings. Durable on return.
   */
  write(key: string, create: GalleryRow | null, subject: SubjectWrite): SubjectInfo;
  /** Erases a subject and its embeddings; false when absent. */
  deleteSubject(key: string, id: string): boolean;
  /** Erases a gallery and everything in it; false when absent. */
  deleteGallery(key: string): boolean;
  /**
   * In one step: forgets the gallery's nonces that expired by `now`, then records `nonce` until
   * `expiresAt` unless it is already there (`seen`) or `max` live nonces are (`full`).
   */
  claimNonce(key: string, nonce: string, expiresAt: number, now: number, max: number): NonceClaim;
}

/** The outcome of {@link GalleryRecords.claimNonce}. */
export type NonceClaim = 'claimed' | 'seen' | 'full';
