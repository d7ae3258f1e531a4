import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js';
import { NativeClient, type NativeClientOptions } from '../../src/native-client.js';
import { MultiClientTokenStorage } from '../../src/storage/ini/multi-client-token-storage.js';
import { type ScriptedBrowser, scriptedBrowser } from './scripted-browser.js';

/** The client id the tests register with the emulator. */
export const CLIENT_ID = '5b2b0e1c-7c8e-4a4c-9a5e-2b4f8f6f1a11';

/** A running emulator, a temp folder with a token file, and a client wired to both. */
export type ClientSetup = {
  emulator: Emulator;
  dir: string;
  tokenFile: string;
  browser: ScriptedBrowser;
  stdin: PassThrough;
  stderr: PassThrough;
  /** Everything written to stderr so far. */
  messages: () => string;
  interrupts: EventEmitter;
  client: NativeClient;
  /** Seconds added to the client's clock (to let tokens expire). */
  clock: { offset: number };
  makeClient: (overrides?: Partial<NativeClientOptions>) => NativeClient;
  cleanup: () => Promise<void>;
};

/** Starts the emulator on port 0 and builds a client that logs in through a scripted browser. */
export async function setupClient(
  options: {
    emulator?: EmulatorOptions;
    client?: Partial<NativeClientOptions>;
    decision?: 'allow' | 'decline';
  } = {},
): Promise<ClientSetup> {
  const emulator = await startEmulator({ autoApprove: true, ...options.emulator });
  const dir = await mkdtemp(join(tmpdir(), 'native-login-test-'));
  const tokenFile = join(dir, 'tokens.cfg');
  const browser = scriptedBrowser({ decision: options.decision ?? 'allow' });
  const stdin = new PassThrough();
  const stderr = new PassThrough();
  let written = '';
  stderr.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  const interrupts = new EventEmitter();
  const clock = { offset: 0 };
  const makeClient = (overrides: Partial<NativeClientOptions> = {}) =>
    new NativeClient({
      clientId: CLIENT_ID,
      appName: 'Test App',
      defaultScopes: 'openid profile email urn:globus:auth:scope:transfer.api.globus.org:all',
      authBaseUrl: emulator.url,
      tokenStorage: new MultiClientTokenStorage({ filename: tokenFile }),
      openBrowser: browser.openBrowser,
      now: () => Date.now() / 1000 + clock.offset,
      stdin,
      stderr,
      interrupts,
      // Nothing from the real environment (no SSH, no BROWSER): the injected opener is used.
      env: {},
      ...options.client,
      ...overrides,
    });
  return {
    emulator,
    dir,
    tokenFile,
    browser,
    stdin,
    stderr,
    messages: () => written,
    interrupts,
    clock,
    client: makeClient(),
    makeClient,
    cleanup: async () => {
      await browser.done();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
