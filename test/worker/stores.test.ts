import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileScanModule } from '../../src/worker/match/kernels.js';
import { createMemoryStore } from '../../src/worker/store/memory.js';
import { openDatabase, SqliteStore } from '../../src/worker/store/sqlite-node.js';
import { storeSuite } from './store-suite.js';

storeSuite('memory (JS kernels)', async () => ({ store: createMemoryStore() }));
storeSuite('memory (SIMD kernels)', async () => ({ store: createMemoryStore({ wasm: compileScanModule() }) }));

storeSuite('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'facevq-store-'));
  const file = join(dir, 'g.db');
  let store = new SqliteStore(openDatabase(file), { wasm: compileScanModule() });
  const raw = (f: string) => (existsSync(f) ? new Uint8Array(readFileSync(f)) : new Uint8Array(0));
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new SqliteStore(openDatabase(file), { wasm: compileScanModule() });
      return store;
    },
    rawBytes: async () => {
      const [db, wal] = [raw(file), raw(`${file}-wal`)];
      const all = new Uint8Array(db.length + wal.length);
      all.set(db);
      all.set(wal, db.length);
      return all;
    },
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
