import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach } from 'node:test';

/** One request as the scripted server received it. */
export type Seen = {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
};
/** How the scripted server answers one request. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The state of a scripted server; tests set `script` and read `seen` (both reset per test). */
export type ScriptedServer = {
  /** Handlers for the next requests, in order; past its end: 200 `{"ok":true}`. */
  script: Handler[];
  /** Every request received since the test began. */
  seen: Seen[];
  /** The server's URL, with a trailing slash (set once the `before` hook ran). */
  base: string;
  /** Answers held open (see `hold`), destroyed after each test. */
  readonly held: Set<ServerResponse>;
};

/** An answer with a JSON body. */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify(body));
  };

/**
 * A real HTTP server on 127.0.0.1 that answers each request with the next scripted handler,
 * started before the file's tests and closed after them; its hooks are registered here.
 */
export function useScriptedServer(): ScriptedServer {
  const state: ScriptedServer = { script: [], seen: [], base: '', held: new Set() };
  let server: Server;
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        state.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
        });
        (state.script.shift() ?? json(200, { ok: true }))(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  beforeEach(() => {
    state.script = [];
    state.seen = [];
    for (const res of state.held) res.destroy();
    state.held.clear();
  });
  after(async () => {
    for (const res of state.held) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return state;
}

/** A handler that never answers (the response is kept in `held`). */
export function holdIn(state: ScriptedServer): Handler {
  return (_req, res) => {
    state.held.add(res);
  };
}
