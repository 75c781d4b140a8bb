/**
 * The Node store: one SQLite file through better-sqlite3, nothing to set up. Node-only; the
 * Worker never imports this file.
 *
 * Reads go through the connection given (the templates, once per gallery, then memory); writes
 * go to a writer thread with its own connection (`write-thread.ts`), which commits them in
 * batches: an enrollment is acknowledged once fsynced (WAL, `synchronous = FULL`), so it survives
 * `kill -9` and a power cut, and no read waits for the disk meanwhile. A database in memory has
 * no file to share, so its writes run on this thread.
 */
import { IndexedStore, storeLimits, type IndexedStoreOptions } from './indexed.js';
import { SqlRecords } from './sql-records.js';
import { betterSqliteDriver, type Db } from './sqlite-driver.js';
import { ThreadWriter } from './write-thread.js';

export { betterSqliteDriver, openDatabase } from './sqlite-driver.js';

/** The Node gallery store in a SQLite file; `close()` lets pending writes commit and closes the database. */
export class SqliteStore extends IndexedStore {
  readonly db: Db;
  private readonly thread: ThreadWriter | null;

  constructor(db: Db, options: IndexedStoreOptions = {}) {
    const thread = db.memory ? null : new ThreadWriter(db.name, storeLimits(options));
    super(new SqlRecords(betterSqliteDriver(db)), options, thread ?? undefined);
    this.db = db;
    this.thread = thread;
  }

  /** Waits for the writes sent to commit, stops the writer thread and closes the database. */
  async close(): Promise<void> {
    await this.thread?.close();
    this.db.close();
  }
}
