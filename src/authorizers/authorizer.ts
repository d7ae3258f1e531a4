/** What every authorizer offers: an `Authorization` header, and a fetch that uses it. */
export type Authorizer = {
  /** The header value, e.g. `Bearer AgX…`, refreshed first when it is about to expire. */
  getAuthorizationHeader(): Promise<string>;
  /** `fetch` with the header added; on a 401 a refreshing authorizer refreshes once and retries once. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
};

/** Options both authorizers take. */
export type AuthorizerOptions = {
  /** The fetch to call (default: the global one). */
  fetch?: typeof fetch;
};

/**
 * Sends `init` with the header from `getHeader`; on a 401, asks `onUnauthorized` for a fresh
 * header and, when it gives one and the body can be sent again, retries exactly once.
 */
export async function authorizedFetch(
  fetchImpl: typeof fetch,
  url: string | URL,
  init: RequestInit | undefined,
  getHeader: () => Promise<string>,
  onUnauthorized: (usedHeader: string) => Promise<string | null>,
): Promise<Response> {
  const header = await getHeader();
  const response = await fetchImpl(url, withAuthorization(init, header));
  if (response.status !== 401 || !isReplayable(init?.body)) return response;
  const fresh = await onUnauthorized(header);
  if (fresh === null) return response;
  // The first answer is dropped; free its socket before asking again.
  await response.body?.cancel().catch(() => undefined);
  return fetchImpl(url, withAuthorization(init, fresh));
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
