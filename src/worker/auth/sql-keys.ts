/**
 * Keys in the Node SQLite database (table `api_keys`), through the same driver as the galleries.
 * A revoked key keeps its row (so `keys list` shows it) and fails on its next request.
 */
import type { SqlDriver } from '../store/sql-records.js';
import { checkKeyRecord, type KeyRecord, type KeyStore } from './keys.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (
  hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, scope TEXT NOT NULL, galleries TEXT, label TEXT, created_at INTEGER NOT NULL,
  expires_at INTEGER, revoked_at INTEGER)`;

/** Columns added after the first release, for databases made before them. */
const ADDED_COLUMNS = ['expires_at', 'revoked_at'];

/** A key's row as `keys list` shows it. */
export interface KeyRow extends KeyRecord {
  createdAt: number;
  revokedAt: number | null;
}

function recordOf(row: Record<string, unknown>): KeyRecord {
  return checkKeyRecord({
    ...row,
    galleries: row.galleries === null ? undefined : JSON.parse(String(row.galleries)),
    label: row.label ?? undefined,
    expiresAt: row.expires_at ?? undefined,
  });
}

/** A {@link KeyStore} in SQL: `add`, `revoke`, `list`. */
export class SqlKeyStore implements KeyStore {
  constructor(private readonly db: SqlDriver) {
    db.run(SCHEMA);
    const have = new Set(db.all('PRAGMA table_info(api_keys)').map((c) => String(c.name)));
    for (const column of ADDED_COLUMNS) if (!have.has(column)) db.run(`ALTER TABLE api_keys ADD COLUMN ${column} INTEGER`);
  }

  lookup(hash: string): KeyRecord | null {
    const [row] = this.db.all('SELECT hash, tenant, scope, galleries, label, expires_at FROM api_keys WHERE hash = ? AND revoked_at IS NULL', hash);
    return row ? recordOf(row) : null;
  }

  /** Stores a key record. */
  add(record: KeyRecord, now = Date.now()): void {
    const r = checkKeyRecord(record);
    this.db.run(
      'INSERT INTO api_keys (hash, tenant, scope, galleries, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      r.hash, r.tenant, r.scope, r.galleries ? JSON.stringify(r.galleries) : null, r.label ?? null, now, r.expiresAt ?? null,
    );
  }

  /**
   * The live key whose hash starts with `prefix` (as `keys list` prints it); a RangeError when
   * none or several match.
   */
  find(prefix: string): KeyRecord {
    if (!/^[0-9a-f]{6,64}$/.test(prefix)) throw new RangeError('a key is named by at least 6 hex digits of its hash');
    const rows = this.db.all("SELECT hash, tenant, scope, galleries, label, expires_at FROM api_keys WHERE hash LIKE ? || '%' AND revoked_at IS NULL", prefix);
    if (rows.length !== 1) throw new RangeError(rows.length === 0 ? `no live key ${prefix}` : `${rows.length} keys start with ${prefix}; give more digits`);
    return recordOf(rows[0]!);
  }

  /** Revokes the key with this hash: its next request fails. */
  revoke(hash: string, now = Date.now()): void {
    this.db.run('UPDATE api_keys SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL', now, hash);
  }

  /** Sets when a key expires (rotation's grace period). */
  expire(hash: string, at: number): void {
    this.db.run('UPDATE api_keys SET expires_at = ? WHERE hash = ?', at, hash);
  }

  /** Every key, revoked ones included, oldest first. */
  list(): KeyRow[] {
    return this.db.all('SELECT * FROM api_keys ORDER BY created_at').map((row) => ({
      ...recordOf(row),
      createdAt: Number(row.created_at),
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    }));
  }

  /** Number of keys, revoked ones included. */
  count(): number {
    return Number(this.db.all('SELECT count(*) AS n FROM api_keys')[0]?.n ?? 0);
  }
}
