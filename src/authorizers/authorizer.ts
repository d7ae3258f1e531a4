import { AuthorizationRequirementsError } from '../errors.js';
import { parseGare } from '../gare/parse-gare.js';
import type { TokenGroup } from '../tokens/token-group.js';

/** What every authorizer offers: an `Authorization` header, and a fetch that uses it. */
export type Authorizer = {
  /** The header value, e.g. `Bearer AgX…`, refreshed first when it is about to expire. */
  getAuthorizationHeader(): Promise<string>;
  /**
   * `fetch` with the header added; on a 401 a refreshing authorizer refreshes once and retries
   * once. A 401/403 whose body is a GARE throws AuthorizationRequirementsError.
   */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
};

/**
 * Called when a service answers 403 with a GARE: log in with its parameters and give the new
 * tokens for this resource server (the request is retried once with them), or null to throw.
 */
export type AuthorizationRequiredHandler = (
  error: AuthorizationRequirementsError,
) => Promise<TokenGroup | null>;

/** What authorizedFetch needs to redrive: where the token is for, and how to get a new header. */
export type RedriveOptions = {
  resourceServer?: string | undefined;
  redrive?: ((error: AuthorizationRequirementsError) => Promise<string | null>) | undefined;
};

/** Options both authorizers take. */
export type AuthorizerOptions = {
  /** The fetch to call (default: the global one). */
  fetch?: typeof fetch;
  /** The resource server the token is for, named in AuthorizationRequirementsError. */
  resourceServer?: string;
  /** Opt-in redrive of a 403 GARE (NativeClient's `onAuthorizationRequired: 'login'`). */
  onAuthorizationRequired?: AuthorizationRequiredHandler;
};

/** A GARE body larger than this is not read: real ones are a few hundred bytes. */
const MAX_GARE_BODY_BYTES = 256 * 1024;

/**
 * Sends `init` with the header from `getHeader`; on a 401, asks `onUnauthorized` for a fresh
 * header and, when it gives one and the body can be sent again, retries exactly once. A final
 * 401/403 carrying a GARE throws AuthorizationRequirementsError (after one redrive on 403 when
 * `options.redrive` is given); any other answer is returned untouched.
 */
export async function authorizedFetch(
  fetchImpl: typeof fetch,
  url: string | URL,
  init: RequestInit | undefined,
  getHeader: () => Promise<string>,
  onUnauthorized: (usedHeader: string) => Promise<string | null>,
  options: RedriveOptions = {},
): Promise<Response> {
  const header = await getHeader();
  let response = await fetchImpl(url, withAuthorization(init, header));
  if (response.status === 401 && isReplayable(init?.body)) {
    const fresh = await onUnauthorized(header);
    if (fresh !== null) {
      // The first answer is dropped; free its socket before asking again.
      await response.body?.cancel().catch(() => undefined);
      response = await fetchImpl(url, withAuthorization(init, fresh));
    }
  }
  const error = await requirementsError(response, url, options.resourceServer);
  if (error === null) return response;
  // Like GlobusApp: redrive only a 403, only once, only when the body can be sent again.
  if (response.status !== 403 || !options.redrive || !isReplayable(init?.body)) throw error;
  const redriven = await options.redrive(error);
  if (redriven === null) throw error;
  const retry = await fetchImpl(url, withAuthorization(init, redriven));
  const again = await requirementsError(retry, url, options.resourceServer);
  if (again !== null) throw again;
  return retry;
}

/** The AuthorizationRequirementsError a 401/403 answer carries, or null (body left unread). */
async function requirementsError(
  response: Response,
  url: string | URL,
  resourceServer: string | undefined,
): Promise<AuthorizationRequirementsError | null> {
  if (response.status !== 401 && response.status !== 403) return null;
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_GARE_BODY_BYTES) return null;
  let body: unknown;
  try {
    const text = await cappedText(response.clone(), MAX_GARE_BODY_BYTES);
    if (text === null) return null;
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const gare = parseGare(body);
  if (gare === null) return null;
  await response.body?.cancel().catch(() => undefined);
  return new AuthorizationRequirementsError({
    status: response.status,
    gare,
    url: withoutQuery(url),
    ...(resourceServer === undefined ? {} : { resourceServer }),
  });
}

/** The body as text, or null (and the copy cancelled) once it grows past `limit` bytes. */
async function cappedText(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: a tee branch's cancel settles only once the other branch is done too.
      void reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function withoutQuery(url: string | URL): string {
  try {
    const where = new URL(String(url));
    where.search = '';
    where.hash = '';
    return where.href;
  } catch {
    return String(url).split(/[?#]/)[0] ?? '';
  }
}

function withAuthorization(init: RequestInit | undefined, header: string): RequestInit {
  const headers = new Headers(init?.headers);
  headers.set('Authorization', header);
  return { ...init, headers };
}

/** A stream body is consumed by the first send, so such a request cannot be retried. */
function isReplayable(body: RequestInit['body']): boolean {
  return body === undefined || body === null || !(body instanceof ReadableStream);
}
