import { AuthServerError } from '../errors.js';

/** Answers larger than this are not from Globus Auth (its largest are a few kB). */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** What Globus Auth said: the status and the JSON object it sent (empty when ignored). */
export type AuthResponse = { status: number; body: Record<string, unknown> };

/** The status line and headers of an answer (a fetch Response is one). */
export type AnswerHead = { status: number; headers: { get(name: string): string | null } };

/** An HTTP answer as authRequest reads it, whether fetch or node:http brought it. */
export type HttpAnswer = AnswerHead & {
  /** The body as text; a `malformed_response` error past {@link MAX_RESPONSE_BYTES}. */
  text(endpoint: string): Promise<string>;
  /** Drops the body unread. */
  discard(): Promise<void>;
};

/** A fetch Response seen as an {@link HttpAnswer}. */
export function fetchAnswer(response: Response): HttpAnswer {
  return {
    status: response.status,
    headers: response.headers,
    text: (endpoint) => readCappedText(response, endpoint),
    discard: async () => {
      await response.body?.cancel().catch(() => undefined);
    },
  };
}

/** Reads a response body as text, refusing one over {@link MAX_RESPONSE_BYTES}. */
export async function readCappedText(response: Response, endpoint: string): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw malformed(response, endpoint, `a body over ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses the body as a JSON object. Anything else (HTML from a proxy or a wrong URL, a
 * truncated answer) is an AuthServerError `malformed_response` that describes the body by
 * content type and length only: the body itself could echo a token.
 */
export function parseJsonObject(
  response: AnswerHead,
  text: string,
  endpoint: string,
): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    return parsed as Record<string, unknown>;
  }
  const type = response.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
  const what = parsed === undefined ? `a ${type} body` : `JSON that is not an object (${type})`;
  return throwMalformed(response, endpoint, `${what} of ${Buffer.byteLength(text)} bytes`);
}

/** A `malformed_response` AuthServerError for an answer that is not Globus Auth JSON. */
export function malformed(
  response: { status: number },
  endpoint: string,
  what: string,
  cause?: unknown,
): AuthServerError {
  return new AuthServerError(
    `Globus Auth at ${endpoint} answered HTTP ${response.status} with ${what}, not the JSON it should send.`,
    {
      code: 'malformed_response',
      status: response.status,
      endpoint,
      cause,
      hint: 'Check the auth base URL (GLOBUS_SDK_SERVICE_URL_AUTH) and any proxy in between.',
    },
  );
}

function throwMalformed(response: AnswerHead, endpoint: string, what: string): never {
  throw malformed(response, endpoint, what);
}

/**
 * The AuthServerError for an HTTP error answer: the OAuth `error`/`error_description`, or
 * else the Globus API envelope's `errors[0].code`/`detail`. Server text is shortened and
 * any value we sent (`secrets`) is blanked out before it reaches a message.
 */
export function errorFromResponse(
  status: number,
  body: Record<string, unknown>,
  endpoint: string,
  secrets: readonly string[],
): AuthServerError {
  const first = Array.isArray(body['errors']) ? (body['errors'][0] as unknown) : undefined;
  const envelope =
    typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
  const error = clean(body['error'], secrets) ?? clean(envelope['code'], secrets);
  const description =
    clean(body['error_description'], secrets) ?? clean(envelope['detail'], secrets);
  const said = error === undefined ? '' : `: ${error}${description ? ` (${description})` : ''}`;
  return new AuthServerError(`Globus Auth at ${endpoint} answered HTTP ${status}${said}.`, {
    status,
    endpoint,
    ...(error === undefined ? {} : { error }),
    ...(description === undefined ? {} : { errorDescription: description }),
  });
}

/** Server-provided text made safe to show: printable, at most 300 characters, no secrets. */
function clean(value: unknown, secrets: readonly string[]): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  let text = value.replace(/\p{Cc}+/gu, ' ').trim();
  for (const secret of secrets) {
    if (secret.length >= 8) text = text.split(secret).join('[redacted]');
  }
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
