/**
 * A NativeClient wired to an oidc-provider peer: memory storage, the loopback code handler
 * only, a scripted browser, a movable clock, and private stdin/stderr.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import { NativeClient, type NativeClientOptions } from '../../src/native-client.js';
import { MemoryTokenStorage } from '../../src/storage/memory-token-storage.js';
import { type OidcPeer, PEER_CLIENT_ID } from '../helpers/oidc-provider-server.js';
import { type ScriptedBrowser, scriptedBrowser } from '../helpers/scripted-browser.js';

/** A client, its storage and browser, and a clock offset (seconds) to let tokens expire. */
export type PeerClient = {
  client: NativeClient;
  storage: MemoryTokenStorage;
  browser: ScriptedBrowser;
  clock: { offset: number };
  /** Everything the client wrote to stderr. */
  messages: () => string;
};

/** Builds a client for `peer`; `overrides` win over every default. */
export function peerClient(
  peer: OidcPeer,
  options: { decision?: 'allow' | 'decline'; overrides?: Partial<NativeClientOptions> } = {},
): PeerClient {
  const storage = new MemoryTokenStorage();
  const browser = scriptedBrowser({ decision: options.decision ?? 'allow' });
  const clock = { offset: 0 };
  const stderr = new PassThrough();
  let written = '';
  stderr.on('data', (chunk: Buffer) => {
    written += chunk.toString();
  });
  const client = new NativeClient({
    clientId: PEER_CLIENT_ID,
    appName: 'Peer Test',
    defaultScopes: 'openid profile email',
    authBaseUrl: peer.url,
    tokenStorage: storage,
    codeHandlers: [new LocalServerCodeHandler()],
    openBrowser: browser.openBrowser,
    now: () => Date.now() / 1000 + clock.offset,
    stdin: new PassThrough(),
    stderr,
    interrupts: new EventEmitter(),
    env: { DISPLAY: ':0' },
    ...options.overrides,
  });
  return { client, storage, browser, clock, messages: () => written };
}

/** The status the provider's own userinfo endpoint gives an access token (200 or 401). */
export async function userinfoStatus(peer: OidcPeer, accessToken: string): Promise<number> {
  const response = await fetch(`${peer.url}v2/oauth2/userinfo`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  await response.body?.cancel();
  return response.status;
}

/** The provider's own verdict on a refresh token: the OAuth error, or null when it works. */
export async function refreshError(peer: OidcPeer, refreshToken: string): Promise<string | null> {
  const response = await fetch(`${peer.url}v2/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: PEER_CLIENT_ID,
    }).toString(),
  });
  const body = (await response.json()) as { error?: string };
  return response.ok ? null : (body.error ?? `HTTP ${response.status}`);
}
