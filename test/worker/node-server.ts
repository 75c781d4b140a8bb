/** A real `facevq serve` process for the end-to-end tests: start it, find its URL, kill it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { firstKeyFileOf } from '../../src/cli/first-key.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CLI = ['tsx', 'src/cli/main.ts'];

export interface Server {
  child: ChildProcess;
  url: string;
  output: string;
  /** The first API key a fresh database got (`serve` writes it to `DB.first-key` when stdout is not a terminal). */
  firstKey?: string;
}

/** Starts `facevq serve` in its own process group and waits (up to `timeoutMs`) for its URL. */
export function startServer(db: string, profilesDir: string, timeoutMs = 60_000): Promise<Server> {
  const child = spawn('npx', [...CLI, 'serve', '--port', '0', '--db', db, '--profiles', profilesDir, '--rate', '0'], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /serving on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        const keyFile = firstKeyFileOf(db);
        resolve({ child, url, output, ...(existsSync(keyFile) && { firstKey: readFileSync(keyFile, 'utf8').trim() }) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

/** SIGKILL to the server's whole process group (npx, tsx and node), then waits for it to go. */
export async function kill9(server: Server): Promise<void> {
  const exited = new Promise((done) => server.child.once('exit', done));
  process.kill(-server.child.pid!, 'SIGKILL');
  await exited;
}
