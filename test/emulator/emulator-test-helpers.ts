// Helpers shared by the emulator's tests: a PKCE pair, authorize URLs, and the steps of a
// login driven with plain fetch, as a browser and a native client would.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import type { Emulator } from '../../src/emulator/index.js';

export const CLIENT_ID = '7fb58e00-839d-44e3-8047-10a502612dca';
export const TRANSFER = 'urn:globus:auth:scope:transfer.api.globus.org:all';
export const LOOPBACK_REDIRECT = 'http://127.0.0.1:8123/callback';

/** A fresh PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Authorize query parameters in the Python SDK's order; `undefined` removes one. */
export function authorizeParams(
  challenge: string,
  overrides: Record<string, string | undefined> = {},
): URLSearchParams {
  const base: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    redirect_uri: LOOPBACK_REDIRECT,
    scope: 'openid profile email',
    state: 'state-123',
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    access_type: 'online',
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(base)) if (value !== undefined) params.set(key, value);
  return params;
}

/** GET the authorize URL without following redirects. */
export function getAuthorize(emulator: Emulator, params: URLSearchParams): Promise<Response> {
  return fetch(`${emulator.url}v2/oauth2/authorize?${params}`, { redirect: 'manual' });
}

/** POST a form without following redirects. */
export function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: new URLSearchParams(form),
    headers,
    redirect: 'manual',
  });
}

/** The transaction id in a consent page's form. */
export function transactionOf(html: string): string {
  const transaction = /name="transaction" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(transaction, 'the consent page has a transaction field');
  return transaction;
}

/** Drive the consent page: GET authorize, POST the decision; returns the redirect target. */
export async function consent(
  emulator: Emulator,
  params: URLSearchParams,
  decision: 'allow' | 'decline' = 'allow',
): Promise<URL> {
  const page = await getAuthorize(emulator, params);
  assert.equal(page.status, 200);
  const transaction = transactionOf(await page.text());
  const answer = await postForm(`${emulator.url}v2/oauth2/authorize/decision`, {
    transaction,
    decision,
  });
  assert.equal(answer.status, 302);
  return new URL(answer.headers.get('location') ?? '');
}

/** Exchange a code at the token endpoint. */
export function exchange(
  emulator: Emulator,
  form: { code: string; verifier: string; redirectUri?: string; clientId?: string },
): Promise<Response> {
  return postForm(`${emulator.url}v2/oauth2/token`, {
    client_id: form.clientId ?? CLIENT_ID,
    grant_type: 'authorization_code',
    code: form.code,
    code_verifier: form.verifier,
    redirect_uri: form.redirectUri ?? LOOPBACK_REDIRECT,
  });
}

/** Refresh at the token endpoint. */
export function refresh(
  emulator: Emulator,
  token: string,
  clientId = CLIENT_ID,
): Promise<Response> {
  return postForm(`${emulator.url}v2/oauth2/token`, {
    refresh_token: token,
    grant_type: 'refresh_token',
    client_id: clientId,
  });
}

/** A token response as the emulator sends it. */
export interface TokenJson {
  access_token: string;
  scope: string;
  expires_in: number;
  token_type: string;
  resource_server: string;
  state?: string;
  refresh_token?: string;
  id_token?: string;
  other_tokens: TokenJson[];
}

/** A whole login through the consent page; returns the token response and its inputs. */
export async function login(
  emulator: Emulator,
  overrides: Record<string, string | undefined> = {},
): Promise<{ tokens: TokenJson; verifier: string; code: string }> {
  const { verifier, challenge } = pkce();
  const target = await consent(emulator, authorizeParams(challenge, overrides));
  const code = target.searchParams.get('code') ?? '';
  const response = await exchange(emulator, {
    code,
    verifier,
    redirectUri: overrides['redirect_uri'] ?? LOOPBACK_REDIRECT,
  });
  assert.equal(response.status, 200);
  return { tokens: (await response.json()) as TokenJson, verifier, code };
}

/** GET userinfo with a bearer token. */
export function userinfo(emulator: Emulator, token: string, method = 'GET'): Promise<Response> {
  return fetch(`${emulator.url}v2/oauth2/userinfo`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  });
}
