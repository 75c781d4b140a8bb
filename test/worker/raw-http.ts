/** Raw HTTP/1.1 over TCP, for requests `fetch` cannot send (odd request targets, no Host, a slow body). */
import { connect } from 'node:net';

/**
 * Sends `request` as written and returns everything the server sends until it closes (or after
 * `timeoutMs`, rejecting). A reset rejects, unless `resetAfterAnswer` and a whole answer (head and
 * `Content-Length` bytes of body) had arrived before it.
 */
export function raw(url: string, request: string, { timeoutMs = 20_000, resetAfterAnswer = false } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', (error) => (resetAfterAnswer && complete(got) ? resolve(got) : reject(error)));
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

/** True when `response` holds a whole answer: its head and as many body bytes as it declares. */
function complete(response: string): boolean {
  const length = Number(headerOf(response, 'content-length'));
  return response.includes('\r\n\r\n') && Buffer.byteLength(bodyText(response)) >= length;
}
