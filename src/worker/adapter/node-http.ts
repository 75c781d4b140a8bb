/**
 * Node's HTTP layer, hardened: deadlines for headers and whole requests (a client that declares
 * a body and sends it slowly is cut off), and the errors Node answers itself, before the app sees
 * the request (a malformed request line, a timeout, oversized headers), sent as the service's
 * JSON error body with a code instead of Node's bare status line.
 */
import type { Server, ServerOptions } from 'node:http';
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
  return { headersTimeout: deadlines.headersMs, requestTimeout: deadlines.requestMs, connectionsCheckingInterval: checkMs };
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
    const body: ErrorBody = { error: { code, message: code === 'E_REQUEST_TIMEOUT' ? 'the request was not received in time' : `malformed request (${error.code ?? 'parse error'})` } };
    const json = JSON.stringify(body);
    socket.end(`HTTP/1.1 ${statusOf(code)} ${code === 'E_REQUEST_TIMEOUT' ? 'Request Timeout' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n${json}`);
  });
}
