import { LoginException, NetworkError } from '../errors.js';
import { cancellableSleep, cancelled } from './abort-signals.js';
import {
  type AnswerHead,
  type AuthResponse,
  errorFromResponse,
  fetchAnswer,
  type HttpAnswer,
  malformed,
  parseJsonObject,
} from './auth-response.js';
import { Cancellation } from './cancellation.js';
import { classifyNetworkFailure } from './network-failure.js';
import { nodeHttpSend } from './node-http-send.js';

/** Pauses before the 2nd and 3rd attempt; worst case 1.25 s of waiting on top of the timeouts. */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([250, 1000]);

/** Statuses that mean "not now": worth another try for a call that is safe to repeat. */
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/** setTimeout cannot wait longer than this; a bigger timeout counts as none. */
const MAX_TIMER_MS = 2_147_483_647;

/** How requests reach Globus Auth: shared by every call of one client. */
export type AuthTransport = {
  /** An injected fetch; without one, requests go out with node:http/node:https (faster to load). */
  fetch?: typeof fetch | undefined;
  /** Per attempt, covering the answer's body too; `Infinity` for none. */
  timeoutMs: number;
  userAgent: string;
  /** Pauses between attempts; its length is the number of retries. */
  retryDelaysMs?: readonly number[] | undefined;
};

/** One call to Globus Auth. */
export type AuthRequest = {
  method: 'GET' | 'POST';
  url: string;
  /** Sent form-encoded (`application/x-www-form-urlencoded`). */
  form?: Readonly<Record<string, string>> | undefined;
  /** Sent as `Authorization: Bearer`. */
  bearer?: string | undefined;
  /** A whole `Authorization` value (a confidential client's Basic credentials); kept secret. */
  authorization?: string | undefined;
  /**
   * `idempotent`: retried after a transient network failure or 429/502/503/504.
   * `not-after-send`: retried only when the connection was never made (a code exchange:
   * the code is single-use, so a request that may have arrived is never repeated).
   */
  retry: 'idempotent' | 'not-after-send';
  /** `ignore` accepts any 2xx body (revoke); `json` requires a JSON object. */
  expect?: 'json' | 'ignore' | undefined;
  /** Token values sent (code, verifier, tokens): blanked out of any server text we show. */
  secrets?: readonly string[] | undefined;
  signal?: AbortSignal | undefined;
};

/**
 * Sends one request with a per-attempt timeout and bounded, safe retries, and maps every
 * failure to a native-login error: NetworkError (unreachable, timeout), LoginCancelled (the
 * caller's signal), AuthServerError (HTTP error, or an answer that is not Globus Auth JSON).
 */
export async function authRequest(
  transport: AuthTransport,
  request: AuthRequest,
): Promise<AuthResponse> {
  const url = new URL(request.url);
  const endpoint = `${url.origin}${url.pathname}`;
  const delays = transport.retryDelaysMs ?? RETRY_DELAYS_MS;
  const secrets = [
    ...(request.secrets ?? []),
    ...(request.bearer === undefined ? [] : [request.bearer]),
    ...(request.authorization === undefined ? [] : [request.authorization]),
  ];
  for (let attempt = 0; ; attempt += 1) {
    if (request.signal?.aborted) throw cancelled(endpoint, request.signal.reason);
    const canRetry = attempt < delays.length;
    const outcome = await attemptOnce(transport, request, endpoint, canRetry);
    if (outcome.kind === 'done') {
      if (outcome.status >= 200 && outcome.status < 300) {
        return { status: outcome.status, body: outcome.body };
      }
      throw errorFromResponse(outcome.status, outcome.body, endpoint, secrets);
    }
    if (!canRetry) throw new Error('unreachable: a retry was asked for with none left');
    await cancellableSleep(delays[attempt] ?? 0, request.signal, endpoint);
  }
}

type Outcome = { kind: 'done'; status: number; body: Record<string, unknown> } | { kind: 'retry' };

async function attemptOnce(
  transport: AuthTransport,
  request: AuthRequest,
  endpoint: string,
  canRetry: boolean,
): Promise<Outcome> {
  // Cancelled by the timeout or by the caller's signal; it covers the answer's body too.
  const cancellation = new Cancellation();
  const ms = transport.timeoutMs;
  let timedOut = false;
  const timer =
    ms < MAX_TIMER_MS
      ? setTimeout(() => {
          timedOut = true;
          cancellation.cancel(new Error(`no answer within ${ms} ms`));
        }, ms)
      : undefined;
  const onAbort = () => cancellation.cancel(request.signal?.reason);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await send(transport, request, cancellation);
    if (canRetry && request.retry === 'idempotent' && RETRY_STATUSES.has(response.status)) {
      await response.discard();
      return { kind: 'retry' };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.discard();
      throw malformed(response, endpoint, `a redirect to ${redirectTarget(response, endpoint)}`);
    }
    const text = await response.text(endpoint);
    const ignore = request.expect === 'ignore' && response.status < 300;
    return {
      kind: 'done',
      status: response.status,
      body: ignore ? {} : parseJsonObject(response, text, endpoint),
    };
  } catch (error) {
    if (request.signal?.aborted) throw cancelled(endpoint, request.signal.reason);
    if (timedOut) {
      throw new NetworkError(
        `Globus Auth at ${endpoint} did not answer within ${formatSeconds(ms)} s.`,
        {
          url: endpoint,
          cause: error,
          hint: 'Try again, or raise GLOBUS_SDK_HTTP_TIMEOUT (seconds).',
        },
      );
    }
    // Our own verdicts on the answer (malformed, redirect) are final.
    if (error instanceof LoginException) throw error;
    const failure = classifyNetworkFailure(error);
    const safe = request.retry === 'idempotent' ? failure.transient : failure.notSent;
    if (canRetry && safe && failure.code !== 'ENOTFOUND') return { kind: 'retry' };
    throw new NetworkError(
      `Could not reach Globus Auth at ${endpoint}: ${failure.description} (${failure.code}).`,
      { url: endpoint, cause: error },
    );
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/** The same request through the injected fetch (redirects not followed) or node:http. */
async function send(
  transport: AuthTransport,
  request: AuthRequest,
  cancellation: Cancellation,
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': transport.userAgent,
  };
  if (request.bearer !== undefined) headers['Authorization'] = `Bearer ${request.bearer}`;
  if (request.authorization !== undefined) headers['Authorization'] = request.authorization;
  let body: string | undefined;
  if (request.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  const init = { method: request.method, headers, body };
  if (transport.fetch === undefined) return nodeHttpSend(request.url, { ...init, cancellation });
  // A fetch takes an AbortSignal: one tied to the cancellation, for the body's reading too.
  const controller = new AbortController();
  cancellation.onCancel((reason) => controller.abort(reason));
  // Called detached: some fetch implementations refuse a foreign `this`.
  const fetchFn = transport.fetch;
  return fetchAnswer(
    await fetchFn(request.url, { ...init, signal: controller.signal, redirect: 'manual' }),
  );
}

/** Where a redirect points, without its query (which could carry a code). */
function redirectTarget(response: AnswerHead, endpoint: string): string {
  const location = response.headers.get('location');
  if (location === null) return 'nowhere';
  try {
    const target = new URL(location, endpoint);
    return `${target.origin}${target.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
