/** Raw HTTP/1.1 over TCP, for requests `fetch` cannot send (odd request targets, no Host, a slow body). */
import { connect } from 'node:net';

/** Sends `request` as written and returns everything the server sends until it closes (or after `timeoutMs`, rejecting). */
export function raw(url: string, request: string, timeoutMs = 20_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    setTimeout(() => { socket.destroy(); reject(new Error(`no close; got ${JSON.stringify(got)}`)); }, timeoutMs);
  });
}

/** The status code of a raw response. */
export const statusOf = (response: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(response)?.[1]);

/** A raw response's header `name` (lowercase), or null. */
export function headerOf(response: string, name: string): string | null {
  const head = response.slice(0, response.indexOf('\r\n\r\n'));
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (line.slice(0, colon).trim().toLowerCase() === name) return line.slice(colon + 1).trim();
  }
  return null;
}

/** A raw response's body. */
export const bodyText = (response: string): string => response.slice(response.indexOf('\r\n\r\n') + 4);
