/**
 * better-sqlite3 for the Node store: the service's pragmas and a {@link SqlDriver}. Node-only.
 *
 * Durability: WAL journal with `synchronous = FULL`, so a commit is fsynced before it returns,
 * surviving a crash of the process and a power cut.
 *
 * Erasure: `secure_delete = ON` overwrites deleted rows with zeros, and the driver's
 * `afterErase` runs `wal_checkpoint(TRUNCATE)`, so no copy survives in the WAL either.
 */
import Database from 'better-sqlite3';
import type { SqlDriver, SqlRow, SqlValue } from './sql-records.js';

/** A better-sqlite3 database. */
export type Db = InstanceType<typeof Database>;
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

