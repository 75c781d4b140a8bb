/** The in-memory store, for tests and throwaway servers: {@link GalleryRecords} over Maps. */
import { IndexedStore, type IndexedStoreOptions } from './indexed.js';
import type { GalleryRecords, GalleryRow, NonceClaim, SubjectWrite } from './records.js';
import type { SubjectInfo } from './types.js';

interface MemorySubject {
  info: SubjectInfo;
  template: Float32Array;
  embeddings: Float32Array[];
}

interface MemoryGallery {
  row: GalleryRow;
  subjects: Map<string, MemorySubject>;
}

/** {@link GalleryRecords} in Maps; lost with the process. */
export class MemoryRecords implements GalleryRecords {
  private readonly galleries = new Map<string, MemoryGallery>();
  /** Per gallery key: nonce → expiry. Kept apart from galleries: a nonce may precede its gallery. */
  private readonly nonces = new Map<string, Map<string, number>>();

  gallery(key: string): GalleryRow | null {
    return this.galleries.get(key)?.row ?? null;
  }

  *templates(key: string): Iterable<[string, Float32Array]> {
    for (const [id, s] of this.galleries.get(key)?.subjects ?? []) yield [id, s.template];
  }

  subject(key: string, id: string): SubjectInfo | null {
    const s = this.galleries.get(key)?.subjects.get(id);
    return s ? { ...s.info } : null;
  }

  embeddings(key: string, id: string): Float32Array[] {
    return this.galleries.get(key)?.subjects.get(id)?.embeddings.map((e) => e.slice()) ?? [];
  }

  count(key: string): number {
    return this.galleries.get(key)?.subjects.size ?? 0;
  }

  subjects(key: string, after: string | null, limit: number): SubjectInfo[] {
    const ids = [...(this.galleries.get(key)?.subjects.keys() ?? [])].filter((id) => after === null || id > after).sort();
    return ids.slice(0, limit).map((id) => this.subject(key, id)!);
  }

  write(key: string, create: GalleryRow | null, w: SubjectWrite): SubjectInfo {
    if (create) this.galleries.set(key, { row: create, subjects: new Map() });
    const g = this.galleries.get(key);
    if (!g) throw new Error(`memory store: no gallery ${key}`);
    const old = g.subjects.get(w.id);
    const embeddings = [...(old?.embeddings ?? []), ...w.added.map((e) => e.slice())];
    const info: SubjectInfo = { id: w.id, embeddings: embeddings.length, createdAt: old?.info.createdAt ?? w.now, updatedAt: w.now };
    g.subjects.set(w.id, { info, template: w.template.slice(), embeddings });
    return { ...info };
  }

  deleteSubject(key: string, id: string): boolean {
    return this.galleries.get(key)?.subjects.delete(id) ?? false;
  }

  deleteGallery(key: string): boolean {
    return this.galleries.delete(key);
  }

  claimNonce(key: string, nonce: string, expiresAt: number, now: number, max: number): NonceClaim {
    let seen = this.nonces.get(key);
    if (!seen) this.nonces.set(key, (seen = new Map()));
    for (const [n, expiry] of seen) if (expiry <= now) seen.delete(n);
    if (seen.has(nonce)) return 'seen';
    if (seen.size >= max) return 'full';
    seen.set(nonce, expiresAt);
    return 'claimed';
  }
}

/** A store that lives in memory. */
export function createMemoryStore(options?: IndexedStoreOptions): IndexedStore {
  return new IndexedStore(new MemoryRecords(), options);
}
