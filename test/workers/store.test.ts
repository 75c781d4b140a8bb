/**
 * The shared store suite against the Durable Object store inside workerd. Erasure is checked by
 * reading every table of the gallery's object directly (`runInDurableObject`); a reopen is an
 * abort of every object, after which they reload from their SQLite storage.
 */
import { abortAllDurableObjects, env, runInDurableObject } from 'cloudflare:test';
import { DurableObjectStore } from '../../src/worker/store/durable.js';
import { storeSuite } from '../worker/store-suite.js';

let run = 0;

storeSuite('Durable Objects', async () => {
  // Each test gets fresh tenants, so objects from earlier tests never interfere.
  const prefix = `r${run++}`;
  const inner = new DurableObjectStore(env.GALLERIES);
  const scoped = <T extends unknown[], R>(fn: (ref: { tenant: string; gallery: string }, ...rest: T) => Promise<R>) =>
    (ref: { tenant: string; gallery: string }, ...rest: T) => fn({ tenant: `${prefix}-${ref.tenant}`, gallery: ref.gallery }, ...rest);
  const store = {
    enroll: scoped(inner.enroll.bind(inner)),
    identify: scoped(inner.identify.bind(inner)),
    verify: scoped(inner.verify.bind(inner)),
    info: async (ref: { tenant: string; gallery: string }) => {
      const info = await inner.info({ tenant: `${prefix}-${ref.tenant}`, gallery: ref.gallery });
      return { ...info, tenant: ref.tenant };
    },
    listSubjects: scoped(inner.listSubjects.bind(inner)),
    deleteSubject: scoped(inner.deleteSubject.bind(inner)),
    deleteGallery: scoped(inner.deleteGallery.bind(inner)),
    claimNonce: scoped(inner.claimNonce.bind(inner)),
  };
  return {
    store,
    reopen: async () => {
      await abortAllDurableObjects();
      return store;
    },
    rawBytes: async () => {
      // Every table's every value of the suite's gallery 'g' of tenant t1, as bytes.
      const stub = env.GALLERIES.get(env.GALLERIES.idFromName(`${prefix}-t1/g`));
      return runInDurableObject(stub, (_, state) => {
        const parts: Uint8Array[] = [];
        const tables = state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
        for (const t of tables) {
          for (const row of state.storage.sql.exec(`SELECT * FROM "${String(t.name)}"`).toArray()) {
            for (const v of Object.values(row)) parts.push(v instanceof ArrayBuffer ? new Uint8Array(v) : new TextEncoder().encode(String(v)));
          }
        }
        const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) { out.set(p, at); at += p.length; }
        return out;
      });
    },
  };
});
