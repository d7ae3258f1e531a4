/**
 * Deciding what a request to the local server is (pure): the login answer for our state, an
 * OAuth error for our state, or something to turn away while the wait goes on.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 authorization response
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-10.12 state and CSRF
 */
import { timingSafeEqual } from 'node:crypto';
import type { AuthorizationResponse } from './code-handler.js';

/** Longest request target we look at; a real redirect is a few hundred characters. */
export const MAX_REDIRECT_URL_LENGTH = 8192;

/** What to do with one request. */
export type RedirectOutcome =
  | { kind: 'code'; response: AuthorizationResponse }
  | { kind: 'error'; error: string; errorDescription: string | undefined }
  | { kind: 'reject'; status: number; title: string; detail: string };

/** The request line parts we need. */
export type RedirectRequestLine = { method: string | undefined; url: string | undefined };

/** What we are waiting for: the redirect path, and the state (undefined: not waiting yet). */
export type RedirectExpectation = { path: string; state: string | undefined };

const SINGLE_VALUED = ['state', 'code', 'error', 'error_description', 'iss'] as const;

/** Classifies a request; only a GET of `path` carrying exactly `state` ends the wait. */
export function classifyRedirectRequest(
  request: RedirectRequestLine,
  expected: RedirectExpectation,
): RedirectOutcome {
  const target = request.url ?? '';
  if (target.length > MAX_REDIRECT_URL_LENGTH) {
    return reject(414, 'Address too long', 'This address is too long to be a login answer.');
  }
  if (request.method !== 'GET') {
    return reject(405, 'Method not allowed', 'Only GET requests are answered here.');
  }
  // Origin-form only ("/path?query"): an absolute or authority form is a proxy request.
  if (!target.startsWith('/') || target.startsWith('//')) {
    return reject(400, 'Bad request', 'This is not a login answer.');
  }
  let url: URL;
  try {
    url = new URL(target, 'http://127.0.0.1');
  } catch {
    return reject(400, 'Bad request', 'This is not a login answer.');
  }
  if (url.pathname !== expected.path) {
    return reject(404, 'Not found', 'This address is only used to receive a login answer.');
  }
  if (expected.state === undefined) {
    return reject(400, 'No login in progress', 'No login is waiting for an answer right now.');
  }
  const params = url.searchParams;
  for (const name of SINGLE_VALUED) {
    if (params.getAll(name).length > 1) {
      return reject(400, 'Bad request', `The parameter "${name}" appears more than once.`);
    }
  }
  const state = params.get('state');
  if (state === null || state === '') {
    return reject(400, 'Missing state', 'This login answer has no state, so it cannot be trusted.');
  }
  if (!sameString(state, expected.state)) {
    return reject(
      400,
      'Unknown login attempt',
      'This login answer belongs to another login attempt (its state does not match). Start the login again from the terminal if needed.',
    );
  }
  const error = params.get('error');
  if (error !== null && error !== '') {
    const description = params.get('error_description');
    return {
      kind: 'error',
      error: cleanText(error, 100),
      errorDescription: description ? cleanText(description, 500) : undefined,
    };
  }
  const code = params.get('code');
  if (code === null || code === '') {
    return reject(400, 'Missing code', 'This login answer carries neither a code nor an error.');
  }
  const iss = params.get('iss');
  return { kind: 'code', response: iss ? { code, iss } : { code } };
}

/** Compares in constant time, so the state cannot be guessed byte by byte. */
function sameString(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** One line, no control characters, bounded: it goes into an error message and a page. */
function cleanText(text: string, max: number): string {
  const oneLine = text.replace(/\p{Cc}+/gu, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function reject(status: number, title: string, detail: string): RedirectOutcome {
  return { kind: 'reject', status, title, detail };
}
