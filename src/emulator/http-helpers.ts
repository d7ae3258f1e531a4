/**
 * Small HTTP pieces every route shares: bounded body reading, parameter parsing that refuses
 * repeats, and the response shapes Globus uses (bare OAuth JSON, the API error envelope).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request body that could not be accepted; `status` is what to answer. */
export class BodyError extends Error {
  readonly status: 400 | 413;

  constructor(status: 400 | 413, message: string) {
    super(message);
    this.status = status;
  }
}

/** A request that bodies past this many times the limit is cut off rather than drained. */
const DRAIN_FACTOR = 16;

/** Read the whole body, refusing (413) one larger than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining a moderately oversized body so the client gets to read the 413.
      if (size > limit * DRAIN_FACTOR) req.destroy();
      else if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit || declared > limit) reject(new BodyError(413, 'request body too large'));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new BodyError(400, 'request aborted'));
    });
  });
}

/** Parameters whose every name appears once, or the first repeated/missing name. */
export type ParamsResult =
  | { ok: true; params: Map<string, string> }
  | { ok: false; reason: string };

/** Parse query or form parameters, refusing repeated ones and missing required ones. */
export function uniqueParams(search: URLSearchParams, required: readonly string[]): ParamsResult {
  const params = new Map<string, string>();
  for (const [key, value] of search) {
    if (params.has(key)) return { ok: false, reason: `repeated parameter: ${key}` };
    params.set(key, value);
  }
  for (const key of required) {
    if (!params.get(key)) return { ok: false, reason: `missing parameter: ${key}` };
  }
  return { ok: true, params };
}

/** Read a form-encoded body (400 for any other content type). */
export async function readForm(req: IncomingMessage, limit: number): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await readBody(req, limit);
  if (type !== 'application/x-www-form-urlencoded') {
    throw new BodyError(400, 'expected application/x-www-form-urlencoded');
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return new URLSearchParams(text.decode(body));
  } catch {
    throw new BodyError(400, 'body is not UTF-8');
  }
}

/**
 * Reads a form body, or, when it cannot be read, answers through `refuse` with the status
 * (413 too large, else 400) and returns null: every form route handles that failure alike.
 */
export async function readFormOrRefuse(
  req: IncomingMessage,
  limit: number,
  refuse: (status: number) => void,
): Promise<URLSearchParams | null> {
  try {
    return await readForm(req, limit);
  } catch (error) {
    refuse(error instanceof BodyError ? error.status : 400);
    return null;
  }
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** Answer with JSON (never cached: it may hold tokens). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...NO_STORE,
    ...headers,
  });
  res.end(text);
}

/** Answer with an HTML page that loads nothing and runs no script. */
export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    ...NO_STORE,
  });
  res.end(html);
}

/** Answer 302 to `location`. */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0, ...NO_STORE });
  res.end();
}

/** Add parameters to a redirect URI, keeping its own query string byte for byte. */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const extra = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) extra.set(key, value);
  const added = extra.toString();
  if (!uri.includes('?')) return `${uri}?${added}`;
  return uri.endsWith('?') || uri.endsWith('&') ? uri + added : `${uri}&${added}`;
}

const API_ERRORS: Readonly<Record<number, { code: string; title: string; detail: string }>> = {
  401: { code: 'UNAUTHORIZED', title: 'Unauthorized', detail: 'Call must be authenticated' },
  403: { code: 'FORBIDDEN', title: 'Forbidden', detail: 'Token is not valid for this API' },
  404: { code: 'NOT_FOUND', title: 'Not Found', detail: 'No such resource' },
  405: { code: 'METHOD_NOT_ALLOWED', title: 'Method Not Allowed', detail: 'Method not allowed' },
  500: {
    code: 'UNEXPECTED_ERROR',
    title: 'Internal Server Error',
    detail: 'An unexpected error occurred',
  },
};

/** Globus's API error envelope (userinfo, unknown paths, server errors). */
export function apiErrorBody(status: number, detail?: string): Record<string, unknown> {
  const known = API_ERRORS[status] ?? {
    code: 'BAD_REQUEST',
    title: 'Bad Request',
    detail: 'Bad request',
  };
  return {
    errors: [
      {
        status: String(status),
        id: randomUUID(),
        code: known.code,
        detail: detail ?? known.detail,
        title: known.title,
      },
    ],
    error: known.code.toLowerCase(),
    error_description: known.title,
  };
}

/** Answer with the API error envelope. */
export function sendApiError(
  res: ServerResponse,
  status: number,
  detail?: string,
  headers?: Record<string, string>,
): void {
  sendJson(res, status, apiErrorBody(status, detail), headers);
}

/** Answer with a bare OAuth error, as the token endpoint does. */
export function sendOAuthError(
  res: ServerResponse,
  status: number,
  error: string,
  description?: string,
): void {
  sendJson(res, status, description ? { error, error_description: description } : { error });
}
