/**
 * The service on Node: a SQLite file for galleries, API keys and device keys (their master key in
 * a file beside it), profiles read from a folder, the SIMD scan compiled at start, Prometheus
 * metrics, the preview's decoders and the demo page, served through @hono/node-server's listener.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { nodeDemoAssets } from '../../demo/assets.js';
import { getRequestListener } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createApp, type FacevqApp } from '../app.js';
import { SqlDeviceRegistry } from '../auth/sql-devices.js';
import { SqlKeyStore } from '../auth/sql-keys.js';
import type { AppLimits } from '../config.js';
import { compileScanModule } from '../match/kernels.js';
import { Metrics } from '../metrics.js';
import { ProfileRegistry } from '../profiles.js';
import { nodePreviewDecoders } from './node-preview.js';
import { betterSqliteDriver, openDatabase, SqliteStore } from '../store/sqlite-node.js';
import { masterFileOf, readMaster } from './device-master.js';
import { answerClientErrors, DEFAULT_DEADLINES, lingerAfterEarlyAnswers, requestErrorHandler, requireHost, serverOptions, type HttpDeadlines } from './node-http.js';
import { createServer } from 'node:http';

/** The Node service's parts. */
export interface NodeService {
  app: FacevqApp;
  store: SqliteStore;
  keys: SqlKeyStore;
  devices: SqlDeviceRegistry;
  /** Lets pending writes commit and closes the database. */
  close(): Promise<void>;
}

/** Builds the service over the database `db` with the `.fvqp` profiles in `profilesDir`. */
export function createNodeService(db: string, profilesDir: string, limits?: Partial<AppLimits>): NodeService {
  const files = readdirSync(profilesDir).filter((f) => f.endsWith('.fvqp')).sort();
  const wasm = compileScanModule();
  const profiles = ProfileRegistry.fromFiles(files.map((f) => new Uint8Array(readFileSync(join(profilesDir, f)))), wasm);
  const store = new SqliteStore(openDatabase(db), { wasm });
  const keys = new SqlKeyStore(betterSqliteDriver(store.db));
  const devices = new SqlDeviceRegistry(betterSqliteDriver(store.db), readMaster(masterFileOf(db), false));
  const clientAddress = (c: Context) => getConnInfo(c).remote.address;
  const encoders = [...new Set([...profiles.set].map((p) => p.encoder?.file ?? 'encoder.onnx'))];
  const demo = nodeDemoAssets(profilesDir, [...files, ...encoders]);
  const app = createApp({
    store, profiles, keys, devices, clientAddress, metrics: new Metrics(), preview: nodePreviewDecoders(profilesDir), demo, ...(limits && { limits }),
  });
  return { app, store, keys, devices, close: () => store.close() };
}

/**
 * Serves `app` on `host:port` (0: any free port); resolves with the URL and a stop function,
 * rejects with the listen error (`EADDRINUSE`, say). `close()` stops accepting, lets the requests
 * in flight finish (idle keep-alive connections are closed) and resolves when all are done.
 */
export function listen(app: FacevqApp, port: number, host: string, deadlines?: HttpDeadlines): Promise<{ url: string; close(): Promise<void> }> {
  // @hono/node-server's listener under our own server: `serve()` does not pass `errorHandler` on.
  const { requestMs } = deadlines ?? DEFAULT_DEADLINES;
  const listener = getRequestListener(app.fetch, { hostname: host, errorHandler: requestErrorHandler });
  const server = createServer(serverOptions(deadlines), requireHost(lingerAfterEarlyAnswers(listener, requestMs)));
  answerClientErrors(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
