/**
 * The few Workers runtime types the service uses, declared here so the project typechecks without
 * `@cloudflare/workers-types` (whose globals clash with the DOM lib the rest of the code uses).
 * Names and shapes follow that package; see https://developers.cloudflare.com/durable-objects/.
 */
declare module 'cloudflare:workers' {
  /** A value `ctx.storage.sql` binds or returns (BLOBs as ArrayBuffer). */
  export type SqlStorageValue = ArrayBuffer | string | number | null;

  export interface SqlStorageCursor {
    toArray(): Record<string, SqlStorageValue>[];
    readonly rowsRead: number;
    readonly rowsWritten: number;
  }

  export interface SqlStorage {
    exec(query: string, ...bindings: SqlStorageValue[]): SqlStorageCursor;
    readonly databaseSize: number;
  }

  export interface DurableObjectStorage {
    readonly sql: SqlStorage;
    transactionSync<T>(fn: () => T): T;
    deleteAll(): Promise<void>;
  }

  export interface DurableObjectState {
    readonly storage: DurableObjectStorage;
    blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
  }

  export interface DurableObjectId {
    toString(): string;
  }

  /** A namespace whose stubs expose the object's RPC methods as `S`. */
  export interface DurableObjectNamespace<S> {
    idFromName(name: string): DurableObjectId;
    get(id: DurableObjectId): S;
  }

  export interface ExecutionContext {
    waitUntil(promise: Promise<unknown>): void;
    passThroughOnException(): void;
  }

  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}

/** `.wasm` imports are compiled modules on Workers (wrangler's default CompiledWasm rule). */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

/** `.fvqp` profile files are Data modules (wrangler.toml `rules`). */
declare module '*.fvqp' {
  const bytes: ArrayBuffer;
  export default bytes;
}
