/**
 * A real browser for tests: Debian's headless Chromium driven by playwright-core (never a
 * browser downloaded by `playwright install`), plus the plumbing to let the library's own
 * `$BROWSER` opener hand a URL to it.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's `apt-get install -y chromium` puts the browser. */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-less (containers) headless Chromium that calls no one. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]);

/** Why the browser tests cannot run here (for `{ skip }`), or false when they can. */
export function chromiumSkipReason(): string | false {
  return existsSync(CHROMIUM_EXECUTABLE)
    ? false
    : `chromium not installed: apt-get install -y chromium (no ${CHROMIUM_EXECUTABLE})`;
}

/**
 * Launches headless Chromium. playwright-core gives every launch a new, empty temporary
 * user-data-dir (a fresh profile: no cookies, no history) and deletes it on close().
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_EXECUTABLE,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 30_000,
  });
}

/** The absolute path of a test artifact under `<repo>/test-artifacts/` (gitignored). */
export async function artifactPath(name: string): Promise<string> {
  const dir = resolve(process.cwd(), 'test-artifacts');
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}

/** A loopback server that receives URLs (POSTed as the body) from a `$BROWSER` script. */
export type UrlRelay = {
  port: number;
  /** Every URL received, in order. */
  urls: string[];
  /** Resolves true once a URL arrived, or false after `ms` without one. */
  heard: (ms: number) => Promise<boolean>;
  close: () => Promise<void>;
};

/** Starts a relay on 127.0.0.1:0 that calls `onUrl` for each URL it is sent. */
export async function startUrlRelay(onUrl: (url: string) => Promise<unknown>): Promise<UrlRelay> {
  const urls: string[] = [];
  let arrived: () => void = () => undefined;
  const first = new Promise<void>((done) => {
    arrived = done;
  });
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      urls.push(body);
      arrived();
      // Answer at once, like a browser launcher that returns when the window is asked for.
      res.writeHead(204).end();
      onUrl(body).catch(() => undefined);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    urls,
    heard: async (ms) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((done) => {
        timer = setTimeout(() => done(false), ms);
      });
      const result = await Promise.race([first.then(() => true), timeout]);
      clearTimeout(timer);
      return result;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * Writes an executable script for `$BROWSER`: it POSTs its last argument (the URL) to the
 * relay. The shebang names this Node by absolute path, so it runs with an empty PATH.
 */
export async function writeBrowserScript(dir: string, relayPort: number): Promise<string> {
  const path = join(dir, 'open-in-test-chromium');
  const script = `#!${process.execPath}
const url = process.argv[process.argv.length - 1];
fetch('http://127.0.0.1:${relayPort}/open', { method: 'POST', body: url })
  .then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(2));
`;
  await writeFile(path, script, 'utf8');
  await chmod(path, 0o755);
  return path;
}
