/**
 * The HTTP plumbing under LocalServerCodeHandler: a server bound to a loopback address with
 * tight limits, that tracks every socket so closing it leaves nothing behind.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { LocalServerError } from '../errors.js';
import { LANDING_PAGE_HEADERS } from './landing-page.js';

// Bounds that keep junk, slow or half-open connections from holding resources while we wait.
const SERVER_LIMITS = {
  maxHeaderSize: 8192,
  headersTimeout: 10_000,
  requestTimeout: 10_000,
  keepAliveTimeout: 1000,
  connectionsCheckingInterval: 1000,
};
// Beyond this many open connections the OLDEST is dropped, not the newest: a local process
// holding idle connections must not lock the browser's redirect out (a hard cap would).
const MAX_CONNECTIONS = 64;
const IDLE_SOCKET_MS = 30_000;

/** What `LoopbackServer.listen` needs. */
export type LoopbackServerOptions = {
  port: number;
  host: string;
  onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  /** A server failure after it started listening. */
  onError: (error: Error) => void;
};

/** A listening loopback HTTP server; `close` releases every socket it ever accepted. */
export class LoopbackServer {
  readonly #server: Server;
  readonly #sockets = new Set<Duplex>();
  #closing: Promise<void> | undefined;

  private constructor(server: Server) {
    this.#server = server;
    server.on('connection', (socket: Duplex) => this.#track(socket));
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
      this.#track(socket);
      refuse(error, socket);
    });
  }

  /** Starts listening; a taken port or a refused bind rejects with LocalServerError. */
  static async listen(options: LoopbackServerOptions): Promise<LoopbackServer> {
    const server = createServer(SERVER_LIMITS, options.onRequest);
    server.timeout = IDLE_SOCKET_MS;
    const loopback = new LoopbackServer(server);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: options.port, host: options.host }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw listenError(error as NodeJS.ErrnoException, options.port, options.host);
    }
    server.on('error', options.onError);
    return loopback;
  }

  /** The bound address (host 127.0.0.1 or ::1, and the port). */
  get address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  /** Stops listening and destroys every socket; resolves once all are closed. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
      for (const socket of this.#sockets) socket.destroy();
    });
    return this.#closing;
  }

  #track(socket: Duplex): void {
    if (this.#sockets.has(socket)) return;
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    if (this.#sockets.size > MAX_CONNECTIONS) this.#sockets.values().next().value?.destroy();
  }
}

/** Sends a page with the security headers and Connection: close; `done` runs once it is out. */
export function sendPage(
  res: ServerResponse,
  status: number,
  body: string,
  extraHeaders: Record<string, string> = {},
  done?: () => void,
): void {
  let called = false;
  const once = (): void => {
    if (!called) {
      called = true;
      done?.();
    }
  };
  // 'close' also fires when the browser went away before the page was out.
  res.once('close', once);
  res.writeHead(status, {
    ...LANDING_PAGE_HEADERS,
    ...extraHeaders,
    'Content-Length': Buffer.byteLength(body),
    Connection: 'close',
  });
  res.end(body, once);
}

/** Answers a request Node could not parse (junk, too large, too slow) and drops the connection. */
function refuse(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 431
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 408
        : 400;
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
  socket.end(head, () => socket.destroy());
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string): LocalServerError {
  if (error.code === 'EADDRINUSE') {
    return new LocalServerError(
      `Port ${port} on ${host} is already in use, so the local login server cannot start.`,
      {
        cause: error,
        hint: 'Choose another port, use port 0 to let the system pick a free one, or log in with --no-local-server to paste a code instead.',
      },
    );
  }
  return new LocalServerError(
    `The local login server could not listen on ${host}:${port} (${error.code ?? error.message}).`,
    { cause: error, hint: 'Use port 0, or log in with --no-local-server to paste a code instead.' },
  );
}
