/**
 * The Node store's writer thread: a `worker_threads` Worker with its own better-sqlite3
 * connection to the database file, which applies every gallery write ({@link GalleryWrite}) with
 * group commit. Writes that arrive while a commit is being fsynced wait in the thread's queue;
 * the next turn applies all of them in one transaction (each in its own savepoint, so one that
 * fails changes nothing and the others still commit) and answers them together once it has
 * committed. One fsync then covers a whole batch, and the main thread, which keeps matching
 * from memory and reading through its own connection, never waits for a disk.
 *
 * The thread runs this very module: {@link ThreadWriter} starts a Worker on this module's own
 * file (a bundle chunk in `dist/`, this file from the sources), and the check at the end of the
 * file makes that copy serve writes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { ServiceError, type ApiErrorCode } from '../errors.js';
import { SqlRecords } from './sql-records.js';
import { betterSqliteDriver, openDatabase } from './sqlite-driver.js';
import type { StoreLimits } from './types.js';
import { RecordWriter, type GalleryWrite, type GalleryWriter, type WriteResult } from './writes.js';

/** Marks a Worker started by {@link ThreadWriter}. */
const ROLE = 'facevq-gallery-writer';

/** What the thread is started with. */
interface ThreadData {
  role: typeof ROLE;
  file: string;
  limits: StoreLimits;
}

/** The thread's answer to one write, in the order the writes were sent. */
type Reply = { ok: true; value: unknown } | { ok: false; code: ApiErrorCode; message: string; headers: Record<string, string> };

/** A message to the thread: a write, or `close` once the main thread has no more. */
type Request = { write: GalleryWrite } | { close: true };

interface Waiting {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * A {@link GalleryWriter} whose writes are committed by a thread of their own on the SQLite
 * file `file` (WAL, `synchronous = FULL`: each promise resolves once its write is fsynced).
 * Answers come back in the order the writes were sent.
 */
export class ThreadWriter implements GalleryWriter {
  private readonly worker: Worker;
  /** Writes sent and not yet answered, oldest first. */
  private readonly waiting: Waiting[] = [];
  private failure: Error | null = null;
  private closed: Promise<void> | null = null;
  private exited = false;

  constructor(file: string, limits: StoreLimits) {
    this.worker = startThread({ role: ROLE, file, limits });
    this.worker.unref(); // held only while writes wait (see `apply`)
    this.worker.on('message', (replies: Reply[]) => this.answer(replies));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`the writer thread exited (${code})`));
    });
  }

  apply<W extends GalleryWrite>(write: W): Promise<WriteResult<W>> {
    if (this.failure || this.closed) return Promise.reject(this.failure ?? new ServiceError('E_INTERNAL', 'the store is closed'));
    return new Promise((resolve, reject) => {
      if (this.waiting.push({ resolve: resolve as (value: unknown) => void, reject }) === 1) this.worker.ref();
      this.worker.postMessage({ write } satisfies Request);
    });
  }

  /** Lets the writes already sent commit, then stops the thread. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((done) => {
      if (this.exited) return done();
      this.worker.once('exit', () => done());
      this.worker.ref();
      this.worker.postMessage({ close: true } satisfies Request);
    });
    return this.closed;
  }

  private answer(replies: Reply[]): void {
    for (const reply of replies) {
      const waiting = this.waiting.shift()!;
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(new ServiceError(reply.code, reply.message, reply.headers));
    }
    if (this.waiting.length === 0) this.worker.unref();
  }

  /** The thread died: every write waiting, and every later one, fails with `E_INTERNAL`. */
  private fail(cause: Error): void {
    if (this.failure || (this.closed && this.waiting.length === 0)) return;
    console.error('facevq: the store writer thread failed', cause);
    this.failure = new ServiceError('E_INTERNAL', 'the store cannot write');
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
  }
}

/**
 * A Worker running this module with `data`. From the sources (tests, `npm start`) the module is
 * TypeScript: the thread registers tsx's loader first (a worker does not take `--import tsx`).
 */
function startThread(data: ThreadData): Worker {
  // In the CommonJS build, import.meta.url is a shim that names the shim's own chunk: __filename names this one.
  const self = typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(fileURLToPath(self), { workerData: data });
  const boot = `import(${JSON.stringify(tsxEsmApi(self))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

/**
 * The file URL of tsx's ESM API (`tsx/esm/api` under the `import` condition), found from `from`
 * through its package's exports map. (Not `import.meta.resolve`: the CommonJS build cannot hold it.)
 */
function tsxEsmApi(from: string): string {
  const manifest = createRequire(from).resolve('tsx/package.json');
  const target = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  return pathToFileURL(join(dirname(manifest), target)).href;
}

/** The reply for a write that threw. */
function replyOf(error: unknown): Reply {
  if (error instanceof ServiceError) return { ok: false, code: error.code, message: error.message, headers: error.headers };
  console.error('facevq: a store write failed', error);
  return { ok: false, code: 'E_INTERNAL', message: 'internal error', headers: {} };
}

/** The thread's side: applies the writes it receives, a batch per commit, until `close`. */
function serveWrites(port: MessagePort, { file, limits }: ThreadData): void {
  const db = openDatabase(file);
  const driver = betterSqliteDriver(db);
  let erased = false;
  // An erasure's WAL checkpoint cannot run inside the batch's transaction: it runs after the commit.
  const writer = new RecordWriter(new SqlRecords({ ...driver, afterErase: () => void (erased = true) }), limits);
  let queue: GalleryWrite[] = [];
  let closing = false;

  const commit = (): void => {
    const batch = queue;
    queue = [];
    let replies: Reply[];
    try {
      replies = driver.transaction(() =>
        batch.map((write): Reply => {
          try {
            return { ok: true, value: driver.transaction(() => writer.apply(write)) }; // a savepoint
          } catch (error) {
            return replyOf(error);
          }
        }),
      );
    } catch (error) {
      writer.forgetCounts(); // the batch rolled back
      replies = batch.map(() => replyOf(error));
    }
    if (erased) {
      erased = false;
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    port.postMessage(replies);
    if (closing && queue.length === 0) stop();
  };
  const stop = (): void => {
    db.close();
    port.close();
  };

  port.on('message', (request: Request) => {
    if ('close' in request) {
      closing = true;
      if (queue.length === 0) stop();
      return;
    }
    // The first write of a batch schedules its commit; the ones that arrive before it joins.
    if (queue.push(request.write) === 1) setImmediate(commit);
  });
}

if (!isMainThread && (workerData as Partial<ThreadData> | null)?.role === ROLE) serveWrites(parentPort!, workerData as ThreadData);
