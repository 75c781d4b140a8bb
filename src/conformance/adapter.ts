/**
 * Implementations the runner talks to: a third party's program speaking the line protocol
 * ({@link startAdapter}), or the built-in codec (./builtin.ts). Both answer one {@link Request}
 * at a time.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Answer, Request } from './protocol.js';

/** Something that answers protocol requests. */
export interface Implementation {
  /** For reports: the command, or "built-in". */
  readonly name: string;
  /** Answers one request; rejects with {@link AdapterError} when the program crashed or hung. */
  request(req: Request): Promise<Answer>;
  close(): Promise<void>;
}

/** The adapter did not answer: it exited, timed out or wrote something that is not JSON. */
export class AdapterError extends Error {}

export interface AdapterOptions {
  /** Milliseconds to wait for each answer before the program is killed. @default 10000 */
  timeoutMs?: number;
  /** Working directory of the program. @default process.cwd() */
  cwd?: string;
  /** Restarts in a row without a single answer before giving up. @default 3 */
  maxRestarts?: number;
}

/** Keeps the last `max` characters of a stream, for error reports. */
function tail(prev: string, chunk: string, max = 2000): string {
  const s = prev + chunk;
  return s.length > max ? s.slice(s.length - max) : s;
}

/**
 * Starts `command` in a shell, once, and keeps it: each request is written as one line to its
 * stdin and answered by the next line of its stdout. A request that takes longer than the timeout
 * kills the program; a program that exits fails its pending request. Either way the next request
 * starts it again, until it has died `maxRestarts` times in a row without answering.
 */
export function startAdapter(command: string, options: AdapterOptions = {}): Implementation {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxRestarts = options.maxRestarts ?? 3;
  let child: ChildProcessWithoutNullStreams | null = null;
  let stdoutBuf = '';
  let stderrTail = '';
  let deathsInARow = 0;
  let pending: { resolve(a: Answer): void; reject(e: Error): void; timer: NodeJS.Timeout } | null = null;

  const settle = (fn: (p: NonNullable<typeof pending>) => void) => {
    const p = pending;
    if (p === null) return;
    pending = null;
    clearTimeout(p.timer);
    fn(p);
  };

  const kill = (proc: ChildProcessWithoutNullStreams) => {
    try {
      // The shell and everything it started form one process group (detached below).
      if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
    } catch {
      proc.kill('SIGKILL');
    }
  };

  const start = (): ChildProcessWithoutNullStreams => {
    const proc = spawn(command, { shell: true, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    stdoutBuf = '';
    stderrTail = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      stdoutBuf += chunk;
      let nl: number;
      while ((nl = stdoutBuf.indexOf('\n')) >= 0) {
        const line = stdoutBuf.slice(0, nl).trim();
        stdoutBuf = stdoutBuf.slice(nl + 1);
        if (line === '' || child !== proc) continue; // a killed program's late output
        settle((p) => {
          let answer: Answer;
          try {
            answer = JSON.parse(line) as Answer;
          } catch {
            p.reject(new AdapterError(`answer is not JSON: ${line.slice(0, 200)}`));
            return;
          }
          if (typeof answer !== 'object' || answer === null || typeof answer.ok !== 'boolean') {
            p.reject(new AdapterError(`answer has no boolean "ok": ${line.slice(0, 200)}`));
            return;
          }
          deathsInARow = 0;
          p.resolve(answer);
        });
      }
    });
    proc.stderr.on('data', (chunk: string) => {
      stderrTail = tail(stderrTail, chunk);
    });
    proc.stdin.on('error', () => {}); // EPIPE after a crash: reported through 'exit'
    proc.on('error', (e) => {
      if (child !== proc) return;
      child = null;
      deathsInARow++;
      settle((p) => p.reject(new AdapterError(`cannot run "${command}": ${e.message}`)));
    });
    proc.on('exit', (code, signal) => {
      if (child !== proc) return; // already given up on (timeout, close)
      child = null;
      deathsInARow++;
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      const err = stderrTail.trim() ? `; stderr: ${stderrTail.trim().slice(-500)}` : '';
      settle((p) => p.reject(new AdapterError(`adapter ${why} before answering${err}`)));
    });
    return proc;
  };

  return {
    name: command,
    request(req: Request): Promise<Answer> {
      if (pending !== null) return Promise.reject(new Error('startAdapter: one request at a time'));
      if (child === null) {
        if (deathsInARow >= maxRestarts) {
          return Promise.reject(new AdapterError(`adapter not running: it died ${deathsInARow} times in a row`));
        }
        child = start();
      }
      const proc = child;
      return new Promise<Answer>((resolve, reject) => {
        const timer = setTimeout(() => {
          settle((p) => p.reject(new AdapterError(`no answer within ${timeoutMs} ms; adapter killed`)));
          if (child === proc) child = null;
          deathsInARow++;
          kill(proc);
        }, timeoutMs);
        pending = { resolve, reject, timer };
        proc.stdin.write(`${JSON.stringify(req)}\n`);
      });
    },
    async close(): Promise<void> {
      const proc = child;
      child = null;
      if (proc === null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          kill(proc);
          resolve();
        }, 2000);
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        proc.stdin.end();
      });
    },
  };
}
