/**
 * Start a local Globus Auth on a loopback address: the server, its timeouts, and the
 * Emulator object with its controls.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv4 } from 'node:net';
import { checkOptions, createContext, type EmulatorContext } from './emulator-context.js';
import { createControls, type EmulatorControls } from './emulator-controls.js';
import type { Emulator, EmulatorOptions } from './emulator-types.js';
import { createIdTokenSigner } from './id-token.js';
import { route } from './router.js';

/** Whether `host` is a loopback address: 127.x.x.x, ::1 (bracketed or not) or localhost. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  if (host === '::1' || host === '[::1]') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/**
 * Start an emulator. It listens on 127.0.0.1 and any free port unless told otherwise, and
 * refuses any address that is not loopback: it is a test double, never a service.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !isLoopbackHost(host)) {
    throw new TypeError('the emulator listens on loopback only: 127.x.x.x, ::1 or localhost');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError('port must be an integer from 0 to 65535');
  }
  checkOptions(options);
  const signer = await createIdTokenSigner(options.privateKey);

  let context: EmulatorContext | undefined;
  let controls: EmulatorControls | undefined;
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    if (context && controls) void route(req, res, context, controls);
    else res.writeHead(503, { 'content-length': 0 }).end();
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, port, host === '[::1]' ? '::1' : host);

  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = `http://${urlHost}:${address.port}/`;
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  let closing = false;
  const close = (): Promise<void> => {
    if (!closing) {
      closing = true;
      server.close();
      server.closeAllConnections();
      for (const [timer, wake] of context?.delays ?? []) {
        clearTimeout(timer);
        wake();
      }
      context?.delays.clear();
    }
    return closed;
  };
  context = createContext({ baseUrl, options, signer, requestClose: () => void close() });
  controls = createControls(context);
  return {
    ...controls,
    url: baseUrl,
    issuer: context.issuer,
    host: address.address,
    port: address.port,
    identity: context.identity,
    closed,
    close,
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
