/**
 * {@link GalleryRecords} in SQLite, written once for both runtimes through a three-method
 * {@link SqlDriver}: better-sqlite3 on Node (`sqlite-node.ts`, one file for every tenant) and a
 * Durable Object's `ctx.storage.sql` on Workers (`durable.ts`, one database per gallery).
 *
 * Vectors are BLOBs of little-endian f32 (every supported runtime is little-endian). A subject's
 * template is stored beside its embeddings so loading a gallery reads one row per subject.
 */
import type { GalleryRecords, GalleryRow, NonceClaim, SubjectWrite } from './records.js';
import type { SubjectInfo } from './types.js';

/** A value SQLite stores. */
export type SqlValue = string | number | Uint8Array | null;

/** A row as the driver returns it (BLOBs as Uint8Array). */
export type SqlRow = Record<string, SqlValue>;

/** The little SQLite needs from a runtime. */
export interface SqlDriver {
  /** Runs a query and returns its rows. */
  all(sql: string, ...params: SqlValue[]): SqlRow[];
  /** Runs a statement. */
  run(sql: string, ...params: SqlValue[]): void;
  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T;
  /** Called after an erasure, to push deleted bytes out of logs (Node checkpoints its WAL). */
  afterErase?(): void;
}

/** The schema; `IF NOT EXISTS`, so opening an existing database is a no-op. */
export const GALLERY_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS galleries (
     gkey TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL,
     profile TEXT NOT NULL, profile_name TEXT NOT NULL, dim INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS subjects (
     gkey TEXT NOT NULL, id TEXT NOT NULL, template BLOB NOT NULL, embeddings INTEGER NOT NULL,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (gkey, id)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS embeddings (
     gkey TEXT NOT NULL, subject TEXT NOT NULL, seq INTEGER NOT NULL, vector BLOB NOT NULL,
     PRIMARY KEY (gkey, subject, seq)) WITHOUT ROWID`,
  // Replay cache of signed payloads (§13): a nonce per row until it expires.
  `CREATE TABLE IF NOT EXISTS nonces (gkey TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (gkey, nonce)) WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS nonces_by_expiry ON nonces (gkey, expires_at)`,
];

/** The bytes of a vector, as stored. */
export function vectorBytes(v: Float32Array): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** A vector from stored bytes (copied, so alignment never matters). */
export function bytesVector(b: SqlValue): Float32Array {
  if (!(b instanceof Uint8Array)) throw new TypeError('expected a BLOB');
  return new Float32Array(b.slice().buffer);
}

const num = (v: SqlValue | undefined): number => Number(v);
const str = (v: SqlValue | undefined): string => String(v);

function subjectInfo(row: SqlRow): SubjectInfo {
  return { id: str(row.id), embeddings: num(row.embeddings), createdAt: num(row.created_at), updatedAt: num(row.updated_at) };
}

/** Gallery rows in SQLite. */
export class SqlRecords implements GalleryRecords {
  constructor(private readonly db: SqlDriver) {
    for (const statement of GALLERY_SCHEMA) db.run(statement);
  }

  gallery(key: string): GalleryRow | null {
    const [row] = this.db.all('SELECT * FROM galleries WHERE gkey = ?', key);
    if (!row) return null;
    return {
      tenant: str(row.tenant),
      gallery: str(row.name),
      profile: { sha256: str(row.profile), name: str(row.profile_name) },
      dim: num(row.dim),
      createdAt: num(row.created_at),
    };
  }

  *templates(key: string): Iterable<[string, Float32Array]> {
    for (const row of this.db.all('SELECT id, template FROM subjects WHERE gkey = ? ORDER BY id', key)) {
      yield [str(row.id), bytesVector(row.template!)];
    }
  }

  subject(key: string, id: string): SubjectInfo | null {
    const [row] = this.db.all('SELECT id, embeddings, created_at, updated_at FROM subjects WHERE gkey = ? AND id = ?', key, id);
    return row ? subjectInfo(row) : null;
  }

  embeddings(key: string, id: string): Float32Array[] {
    return this.db
      .all('SELECT vector FROM embeddings WHERE gkey = ? AND subject = ? ORDER BY seq', key, id)
      .map((row) => bytesVector(row.vector!));
  }

  count(key: string): number {
    return num(this.db.all('SELECT count(*) AS n FROM subjects WHERE gkey = ?', key)[0]?.n);
  }

  subjects(key: string, after: string | null, limit: number): SubjectInfo[] {
    return this.db
      .all(
        'SELECT id, embeddings, created_at, updated_at FROM subjects WHERE gkey = ? AND id > ? ORDER BY id LIMIT ?',
        key, after ?? '', limit,
      )
      .map(subjectInfo);
  }

  write(key: string, create: GalleryRow | null, w: SubjectWrite): SubjectInfo {
    return this.db.transaction(() => {
      if (create) {
        this.db.run(
          'INSERT INTO galleries (gkey, tenant, name, profile, profile_name, dim, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          key, create.tenant, create.gallery, create.profile.sha256, create.profile.name, create.dim, create.createdAt,
        );
      }
      const [last] = this.db.all('SELECT max(seq) AS seq FROM embeddings WHERE gkey = ? AND subject = ?', key, w.id);
      let seq = last?.seq === null || last?.seq === undefined ? 0 : num(last.seq) + 1;
      for (const e of w.added) {
        this.db.run('INSERT INTO embeddings (gkey, subject, seq, vector) VALUES (?, ?, ?, ?)', key, w.id, seq++, vectorBytes(e));
      }
      this.db.run(
        `INSERT INTO subjects (gkey, id, template, embeddings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (gkey, id) DO UPDATE SET template = excluded.template, embeddings = excluded.embeddings,
           updated_at = excluded.updated_at`,
        key, w.id, vectorBytes(w.template), seq, w.now, w.now,
      );
      return this.subject(key, w.id)!;
    });
  }

  deleteSubject(key: string, id: string): boolean {
    const existed = this.db.transaction(() => {
      if (!this.subject(key, id)) return false;
      this.db.run('DELETE FROM embeddings WHERE gkey = ? AND subject = ?', key, id);
      this.db.run('DELETE FROM subjects WHERE gkey = ? AND id = ?', key, id);
      return true;
    });
    if (existed) this.db.afterErase?.();
    return existed;
  }

  claimNonce(key: string, nonce: string, expiresAt: number, now: number, max: number): NonceClaim {
    return this.db.transaction(() => {
      this.db.run('DELETE FROM nonces WHERE gkey = ? AND expires_at <= ?', key, now);
      if (this.db.all('SELECT 1 FROM nonces WHERE gkey = ? AND nonce = ?', key, nonce).length > 0) return 'seen';
      if (num(this.db.all('SELECT count(*) AS n FROM nonces WHERE gkey = ?', key)[0]?.n) >= max) return 'full';
      this.db.run('INSERT INTO nonces (gkey, nonce, expires_at) VALUES (?, ?, ?)', key, nonce, expiresAt);
      return 'claimed';
    });
  }

  deleteGallery(key: string): boolean {
    const existed = this.db.transaction(() => {
      if (!this.gallery(key)) return false;
      this.db.run('DELETE FROM embeddings WHERE gkey = ?', key);
      this.db.run('DELETE FROM subjects WHERE gkey = ?', key);
      this.db.run('DELETE FROM galleries WHERE gkey = ?', key);
      return true;
    });
    if (existed) this.db.afterErase?.();
    return existed;
  }
}
