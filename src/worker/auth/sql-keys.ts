/** Keys in the Node SQLite database (table `api_keys`), through the same driver as the galleries. */
import type { SqlDriver } from '../store/sql-records.js';
import { checkKeyRecord, type KeyRecord, type KeyStore } from './keys.js';

const SCHEMA = `CREATE TABLE IF NOT EXISTS api_keys (
  hash TEXT PRIMARY KEY, tenant TEXT NOT NULL, scope TEXT NOT NULL, galleries TEXT, label TEXT, created_at INTEGER NOT NULL)`;

/** A {@link KeyStore} in SQL; `add` inserts a hashed key. */
export class SqlKeyStore implements KeyStore {
  constructor(private readonly db: SqlDriver) {
    db.run(SCHEMA);
  }

  lookup(hash: string): KeyRecord | null {
    const [row] = this.db.all('SELECT hash, tenant, scope, galleries, label FROM api_keys WHERE hash = ?', hash);
    if (!row) return null;
    return checkKeyRecord({ ...row, galleries: row.galleries === null ? undefined : JSON.parse(String(row.galleries)), label: row.label ?? undefined });
  }

  /** Stores a key record. */
  add(record: KeyRecord, now = Date.now()): void {
    const r = checkKeyRecord(record);
    this.db.run(
      'INSERT INTO api_keys (hash, tenant, scope, galleries, label, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      r.hash, r.tenant, r.scope, r.galleries ? JSON.stringify(r.galleries) : null, r.label ?? null, now,
    );
  }

  /** Number of keys. */
  count(): number {
    return Number(this.db.all('SELECT count(*) AS n FROM api_keys')[0]?.n ?? 0);
  }
}
