/**
 * The Node store: one SQLite file through better-sqlite3, nothing to set up. Node-only; the
 * Worker never imports this file.
 *
 * Durability: WAL journal with `synchronous = FULL`, so every acknowledged enrollment is fsynced
 * before the response, surviving a crash of the process and a power cut. (WAL with NORMAL
 * would survive a process kill too, since the WAL is in the OS cache, but could lose the last
 * commits on power loss; enrollments are rare next to identifications, which never write, so
 * the fsync is cheap where it matters.)
 *
 * Erasure: `secure_delete = ON` overwrites deleted rows with zeros, and each delete ends with
 * `wal_checkpoint(TRUNCATE)`, so no copy survives in the WAL either.
 */
import Database from 'better-sqlite3';
import { IndexedStore, type IndexedStoreOptions } from './indexed.js';
import { SqlRecords, type SqlDriver, type SqlRow, type SqlValue } from './sql-records.js';

type Db = InstanceType<typeof Database>;
type Statement = Database.Statement<unknown[]>;

/** Opens (creating if needed) a SQLite database file with the service's pragmas. */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

const toSql = (v: SqlValue): unknown => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
const fromSql = (row: Record<string, unknown>): SqlRow => {
  const out: SqlRow = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? new Uint8Array(v) : (v as SqlValue);
  return out;
};

/** A {@link SqlDriver} over a better-sqlite3 database, caching prepared statements. */
export function betterSqliteDriver(db: Db): SqlDriver {
  const cache = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  return {
    all: (sql, ...params) => (prepare(sql).all(...params.map(toSql)) as Record<string, unknown>[]).map(fromSql),
    run: (sql, ...params) => void prepare(sql).run(...params.map(toSql)),
    transaction: (fn) => db.transaction(fn)(),
    afterErase: () => void db.pragma('wal_checkpoint(TRUNCATE)'),
  };
}

/** The Node gallery store in a SQLite file; `close()` closes the database. */
export class SqliteStore extends IndexedStore {
  readonly db: Db;

  constructor(db: Db, options?: IndexedStoreOptions) {
    super(new SqlRecords(betterSqliteDriver(db)), options);
    this.db = db;
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}
