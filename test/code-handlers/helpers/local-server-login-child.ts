/**
 * Run as a child process by local-server-exit.test.ts: logs in through LocalServerCodeHandler
 * on every path (success, declined, abort with a half-open socket, timeout) and then simply
 * returns. If any socket, server or timer were left, this process would not exit by itself.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { CodeHandlerContext } from '../../../src/code-handlers/code-handler.js';
import { LocalServerCodeHandler } from '../../../src/code-handlers/local-server-code-handler.js';

function context(signal: AbortSignal, timeoutMs = 60_000): CodeHandlerContext {
  return {
    authBaseUrl: 'https://auth.example.org/',
    appName: 'Child',
    noBrowser: true,
    openBrowser: () => undefined,
    stdin: new PassThrough(),
    stderr: new Writable({ write: (_chunk, _encoding, callback) => callback() }),
    env: {},
    signal,
    timeoutMs,
  };
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

async function attempt(
  signal: AbortSignal,
  timeoutMs: number,
  act: (redirectUri: string) => Promise<unknown>,
): Promise<string> {
  const handler = new LocalServerCodeHandler();
  const ctx = context(signal, timeoutMs);
  await handler.start(ctx);
  try {
    const pending = handler.authenticate({ authorizeUrl: 'https://x.invalid/', state: 'st' }, ctx);
    // It may reject while `act` still runs; it is awaited just below.
    pending.catch(() => undefined);
    await act(handler.redirectUri);
    const result = await pending;
    return `code:${result.code}`;
  } catch (error) {
    return `${(error as Error).name}`;
  } finally {
    await handler.stop();
  }
}

const outcomes: string[] = [];
const never = new AbortController().signal;
outcomes.push(await attempt(never, 60_000, (uri) => get(`${uri}?code=c1&state=st`)));
outcomes.push(await attempt(never, 60_000, (uri) => get(`${uri}?error=access_denied&state=st`)));
const controller = new AbortController();
outcomes.push(
  await attempt(controller.signal, 60_000, async (uri) => {
    const socket = connect({ port: Number(new URL(uri).port), host: '127.0.0.1' });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /?sta');
    controller.abort('test abort');
  }),
);
outcomes.push(await attempt(never, 100, async () => undefined));

// Closed handles are released in the loop's close phase: let one full turn pass, then report
// what is still holding the event loop.
await new Promise((resolve) => setImmediate(resolve));
await new Promise((resolve) => setImmediate(resolve));
const leftovers = process
  .getActiveResourcesInfo()
  .filter((name) => /TCP|Timeout|Immediate|Server/i.test(name));
process.stdout.write(`${JSON.stringify({ outcomes, leftovers })}\n`);
