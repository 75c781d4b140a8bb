/**
 * Node's HTTP layer, hardened: deadlines for headers and whole requests (a client that declares
 * a body and sends it slowly is cut off), and the errors answered before the app sees the request
 * (by Node: a request line it cannot parse, a timeout; by @hono/node-server: a URL that does not
 * parse), sent as the service's JSON error body with a code instead of a bare status line.
 */
import type { IncomingMessage, RequestListener, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { statusOf, type ApiErrorCode, type ErrorBody } from '../errors.js';

/** Request deadlines, in milliseconds. */
export interface HttpDeadlines {
  /** Until the headers are complete. @default 10_000 */
  headersMs: number;
  /** Until the whole request, body included, is received. @default 15_000 */
  requestMs: number;
}

/** Default {@link HttpDeadlines}: ample for a 2 MiB batch on a slow link, short for a stalled one. */
export const DEFAULT_DEADLINES: HttpDeadlines = { headersMs: 10_000, requestMs: 15_000 };

/** `http.createServer` options for `deadlines`; Node checks them every `checkMs`. */
export function serverOptions(deadlines: HttpDeadlines = DEFAULT_DEADLINES, checkMs = 1_000): ServerOptions {
  // requireHostHeader off: Node would answer an HTTP/1.1 request without Host with a bare 400;
  // `requireHost` answers it with the JSON body instead.
  return { headersTimeout: deadlines.headersMs, requestTimeout: deadlines.requestMs, connectionsCheckingInterval: checkMs, requireHostHeader: false };
}

/** The service's JSON error body. */
function errorJson(code: ApiErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } } satisfies ErrorBody);
}

/** The JSON error answer for `code`. */
function errorResponse(code: ApiErrorCode, message: string): Response {
  return new Response(errorJson(code, message), { status: statusOf(code), headers: { 'content-type': 'application/json' } });
}

/**
 * @hono/node-server's `errorHandler`: a request it cannot turn into a `Request` (a URL that does
 * not parse, e.g. with a raw backslash) is `400 E_BAD_REQUEST` as JSON, not its bare 400.
 */
export function requestErrorHandler(error: unknown): Response {
  if (error instanceof Error && error.name === 'RequestError') return errorResponse('E_BAD_REQUEST', `malformed request: ${error.message}`);
  console.error('facevq: internal error', error);
  return errorResponse('E_INTERNAL', 'internal error');
}

/** `listener`, except that an HTTP/1.1 request without Host (RFC 9112 §3.2) is `400 E_BAD_REQUEST` as JSON. */
export function requireHost(listener: RequestListener): RequestListener {
  return (req: IncomingMessage, res) => {
    if (req.headers.host !== undefined || req.httpVersion === '1.0') return listener(req, res);
    const json = errorJson('E_BAD_REQUEST', 'malformed request: an HTTP/1.1 request needs a Host header');
    res.writeHead(statusOf('E_BAD_REQUEST'), { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), connection: 'close' }).end(json);
  };
}

/**
 * `listener`, except that an answer sent before its request's body has all arrived (a 413 for a
 * body over the limit, say) does not cut the client off. @hono/node-server reads such a body
 * for 500 ms and Node then closes the connection: closing with bytes unread makes the kernel
 * send a reset, so a client still sending (a large chunked body) gets EPIPE or ECONNRESET and
 * may never read its answer. Here the rest of the body is read and thrown away, then the
 * connection is closed (gracefully: our FIN once the body has ended, then theirs); a body still
 * arriving after `lingerMs` gets the connection dropped.
 */
export function lingerAfterEarlyAnswers(listener: RequestListener, lingerMs: number): RequestListener {
  return (req: IncomingMessage, res) => {
    res.once('finish', () => {
      if (!req.complete) linger(req, lingerMs);
    });
    listener(req, res);
  };
}

/** Reads and discards the rest of `req`; the connection closes once the client has sent it all, or after `ms`. */
function linger(req: IncomingMessage, ms: number): void {
  const socket = req.socket;
  const drop = setTimeout(() => socket.destroy(), ms);
  drop.unref();
  socket.once('close', () => clearTimeout(drop));
  // Node and @hono/node-server's drain would close it now: it closes when the body is read.
  socket.destroySoon = () => undefined;
  // As Node's own dump of an unread body: the app's reader (a web stream that pauses `req` when
  // its queue is full) is gone; a listener that keeps nothing takes its place.
  req.removeAllListeners('data');
  req.on('data', () => undefined);
  req.once('end', () => socket.end());
  socket.once('end', () => socket.destroy());
  req.resume();
}

/** The code for an error of Node's HTTP parser or its deadlines. */
function codeOf(error: NodeJS.ErrnoException): ApiErrorCode {
  return error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'E_REQUEST_TIMEOUT' : 'E_BAD_REQUEST';
}

/** Answers Node's own client errors with the JSON error body, then closes the connection. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // As Node's own handler: write an answer unless one has started (then only close).
    if (!socket.writable || (socket as Socket & { _httpMessage?: { _headerSent?: boolean } })._httpMessage?._headerSent) {
      socket.destroy();
      return;
    }
    const code = codeOf(error);
    const json = errorJson(code, code === 'E_REQUEST_TIMEOUT' ? 'the request was not received in time' : `malformed request (${error.code ?? 'parse error'})`);
    socket.end(`HTTP/1.1 ${statusOf(code)} ${code === 'E_REQUEST_TIMEOUT' ? 'Request Timeout' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`);
  });
}
