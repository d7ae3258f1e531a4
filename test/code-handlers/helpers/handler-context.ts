/** Test helpers: a CodeHandlerContext with collecting streams, and plain HTTP/TCP clients. */
import { request } from 'node:http';
import { connect } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { CodeHandlerContext } from '../../../src/code-handlers/code-handler.js';

/** A context whose stderr is collected and whose browser opener records the URLs it got. */
export type TestContext = {
  ctx: CodeHandlerContext;
  controller: AbortController;
  stdin: PassThrough;
  opened: string[];
  stderrText: () => string;
};

/** Builds a context: no browser is ever launched unless `openBrowser` is overridden. */
export function makeContext(overrides: Partial<CodeHandlerContext> = {}): TestContext {
  const chunks: string[] = [];
  const stderr = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const controller = new AbortController();
  const stdin = new PassThrough();
  const opened: string[] = [];
  const ctx: CodeHandlerContext = {
    authBaseUrl: 'https://auth.example.org/',
    appName: 'Test App',
    noBrowser: false,
    openBrowser: (url) => {
      opened.push(url);
    },
    stdin,
    stderr,
    env: {},
    signal: controller.signal,
    timeoutMs: 60_000,
    ...overrides,
  };
  return { ctx, controller, stdin, opened, stderrText: () => chunks.join('') };
}

/** A finished HTTP exchange. */
export type HttpAnswer = { status: number; headers: Record<string, string>; body: string };

/** One HTTP request on its own connection (no keep-alive pool left behind). */
export function httpRequest(url: string, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends raw bytes and collects whatever comes back until the server closes the connection. */
export function rawExchange(port: number, payload: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    // A reset or a write after close both mean "dropped", which is an acceptable answer.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
    socket.write(payload);
  });
}

/** Resolves with the error code of a TCP connection attempt, or 'connected'. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

/** The port of an http://host:port/ URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
