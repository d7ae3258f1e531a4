/**
 * Shared pieces of the auth-server fault tests: the time bound derived from the documented
 * retry policy, a port nobody listens on, a TCP proxy that can be cut, and a timer.
 */
import { connect, createServer, type Socket } from 'node:net';

/** The client's per-attempt HTTP timeout in these tests. */
export const TIMEOUT_MS = 300;

/**
 * docs/globus-auth.md, "Timeouts and retries": at most 3 attempts, each at most the timeout,
 * with pauses of 250 ms and 1 s between them: 3 × 300 + 1 250 = 2 150 ms per call.
 */
export const WORST_CALL_MS = 3 * TIMEOUT_MS + 250 + 1000;

/**
 * The bound asserted for `calls` calls: twice the documented worst case plus 2 s for a busy CI
 * machine. It only proves that nothing hangs (Python's client hung 12–33 s here).
 */
export function boundMs(calls: number): number {
  return 2 * calls * WORST_CALL_MS + 2000;
}

/** How long `fn` takes, and what it threw (or undefined) and returned. */
export async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; error: unknown; value: T | undefined }> {
  const started = performance.now();
  try {
    const value = await fn();
    return { ms: performance.now() - started, error: undefined, value };
  } catch (error) {
    return { ms: performance.now() - started, error, value: undefined };
  }
}

/** A loopback port that was just free and is closed again: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A TCP proxy on loopback to `targetPort`; `close()` stops it and cuts every connection. */
export async function startProxy(
  targetPort: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => {
      closing ??= new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
