/**
 * The Workers store: one Durable Object per (tenant, gallery), named `tenant/gallery`, each with
 * its own SQLite database (`ctx.storage.sql`) and the gallery's templates in memory as one
 * contiguous matrix (the same {@link IndexedStore} as Node, over the same SQL). Decoding and
 * embedding happen in the stateless Worker; the object only stores and matches, so the Worker's
 * isolates scale out while each gallery has one home.
 *
 * Calls cross to the object by RPC as `invoke({ method, args })`. Errors come back as values
 * (`{ ok: false, code, message }`) because RPC keeps only an error's message, not its class or
 * code; {@link DurableObjectStore} turns them back into `ServiceError`s.
 *
 * Erasure: deleting a subject deletes its rows; deleting a gallery also calls
 * `storage.deleteAll()`, which drops the object's whole database.
 */
import { DurableObject, type DurableObjectNamespace, type DurableObjectStorage, type SqlStorageValue } from 'cloudflare:workers';
import scanWasm from '../match/scan.wasm';
import { ServiceError, type ApiErrorCode } from '../errors.js';
import { galleryKey, type GalleryRef } from '../names.js';
import { IndexedStore } from './indexed.js';
import { SqlRecords, type SqlDriver, type SqlRow, type SqlValue } from './sql-records.js';
import type { GalleryStore } from './types.js';

/** One store call, as sent to the object. */
export type StoreCall = { [M in keyof GalleryStore]: { method: M; args: Parameters<GalleryStore[M]> } }[keyof GalleryStore];

/** The object's answer: a value, or an error's code and message. */
export type StoreReply = { ok: true; value: unknown } | { ok: false; code: ApiErrorCode; message: string };

/** What a stub of {@link GalleryObject} offers. */
export interface GalleryObjectStub {
  invoke(call: StoreCall): Promise<StoreReply>;
}

/** A {@link SqlDriver} over a Durable Object's SQLite storage. */
export function durableSqlDriver(storage: DurableObjectStorage): SqlDriver {
  const bind = (v: SqlValue): SqlStorageValue => (v instanceof Uint8Array ? v.slice().buffer : v);
  const row = (r: Record<string, SqlStorageValue>): SqlRow => {
    const out: SqlRow = {};
    for (const [k, v] of Object.entries(r)) out[k] = v instanceof ArrayBuffer ? new Uint8Array(v) : v;
    return out;
  };
  return {
    all: (sql, ...params) => storage.sql.exec(sql, ...params.map(bind)).toArray().map(row),
    run: (sql, ...params) => void storage.sql.exec(sql, ...params.map(bind)).toArray(),
    transaction: (fn) => storage.transactionSync(fn),
  };
}

/** The Durable Object holding one gallery. */
export class GalleryObject extends DurableObject {
  private store: IndexedStore;

  constructor(ctx: ConstructorParameters<typeof DurableObject>[0], env: unknown) {
    super(ctx, env);
    this.store = this.open();
  }

  /**
   * The store over this object's database (creating its tables). A gallery is capped at 100k
   * subjects: f32 + int8 rows at 128-D take ~64 MB of the object's 128 MB.
   */
  private open(): IndexedStore {
    return new IndexedStore(new SqlRecords(durableSqlDriver(this.ctx.storage)), { wasm: scanWasm, limits: { maxSubjectsPerGallery: 100_000 } });
  }

  /** Runs one store call (RPC). */
  async invoke(call: StoreCall): Promise<StoreReply> {
    try {
      const value = await (this.store[call.method] as (...args: unknown[]) => Promise<unknown>)(...call.args);
      if (call.method === 'deleteGallery') {
        await this.ctx.storage.deleteAll();
        this.store = this.open();
      }
      return { ok: true, value };
    } catch (error) {
      if (error instanceof ServiceError) return { ok: false, code: error.code, message: error.message };
      throw error;
    }
  }
}

/** A {@link GalleryStore} whose galleries are {@link GalleryObject}s. */
export class DurableObjectStore implements GalleryStore {
  constructor(private readonly namespace: DurableObjectNamespace<GalleryObjectStub>) {}

  private async call<M extends keyof GalleryStore>(method: M, args: Parameters<GalleryStore[M]>): Promise<Awaited<ReturnType<GalleryStore[M]>>> {
    const ref = args[0] as GalleryRef;
    const stub = this.namespace.get(this.namespace.idFromName(galleryKey(ref)));
    const reply = await stub.invoke({ method, args } as StoreCall);
    if (!reply.ok) throw new ServiceError(reply.code, reply.message);
    return reply.value as Awaited<ReturnType<GalleryStore[M]>>;
  }

  enroll(...args: Parameters<GalleryStore['enroll']>) { return this.call('enroll', args); }
  identify(...args: Parameters<GalleryStore['identify']>) { return this.call('identify', args); }
  verify(...args: Parameters<GalleryStore['verify']>) { return this.call('verify', args); }
  info(...args: Parameters<GalleryStore['info']>) { return this.call('info', args); }
  listSubjects(...args: Parameters<GalleryStore['listSubjects']>) { return this.call('listSubjects', args); }
  deleteSubject(...args: Parameters<GalleryStore['deleteSubject']>) { return this.call('deleteSubject', args); }
  deleteGallery(...args: Parameters<GalleryStore['deleteGallery']>) { return this.call('deleteGallery', args); }
  claimNonce(...args: Parameters<GalleryStore['claimNonce']>) { return this.call('claimNonce', args); }
}
