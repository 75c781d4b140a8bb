/**
 * Starts `wrangler dev` (local workerd, local Durable Objects) in its own process group and stops
 * the whole group; for the Workers end-to-end test and the benchmark. Offline: no account needed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

/** A running `wrangler dev`. */
export interface WranglerDev {
  url: string;
  child: ChildProcess;
  /** What wrangler and workerd printed so far (one `[wrangler:info]` line per request the dev proxy forwards). */
  output(): string;
  /** The workerd processes wrangler runs (the Worker's, and its dev proxy's), for CPU accounting. */
  workerdPids(): number[];
  /** Stops the process group (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Descendant pids of `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* exited */ }
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

/** CPU time (user + system) of a process so far, in milliseconds (Linux /proc). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/**
 * Starts `wrangler dev` for `entry` (default: wrangler.toml's main) with `vars`, persisting Durable
 * Objects under `persistTo`; resolves when it answers `/healthz`.
 */
export async function startWranglerDev(opts: { entry?: string; persistTo: string; vars: Record<string, string> }): Promise<WranglerDev> {
  const [port, inspector] = [await freePort(), await freePort()];
  mkdirSync(opts.persistTo, { recursive: true });
  const envFile = join(opts.persistTo, 'dev.env');
  writeFileSync(envFile, Object.entries(opts.vars).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n');
  const args = ['wrangler', 'dev', ...(opts.entry ? [opts.entry] : []), '--ip', '127.0.0.1', '--port', String(port),
    '--inspector-port', String(inspector), '--persist-to', opts.persistTo, '--env-file', envFile, '--show-interactive-dev-session=false'];
  const child = spawn('npx', args, {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`wrangler dev exited:\n${output}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`wrangler dev did not answer:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    child,
    output: () => output,
    workerdPids: () => descendants(child.pid!).filter((p) => {
      try { return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'workerd'; } catch { return false; }
    }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
