/**
 * Sending one request with `node:http`/`node:https` instead of the built-in fetch: fetch's
 * first use loads undici, which costs a short-lived CLI about 100 ms and 40 MiB, for one POST.
 * What fetch gave for free is done here: no redirects followed (node:http never follows
 * them), the size cap while reading, the cancellation covering the body too.
 */
import type { IncomingMessage } from 'node:http';
import { type HttpAnswer, MAX_RESPONSE_BYTES, malformed } from './auth-response.js';
import type { Cancellation } from './cancellation.js';

/** What {@link nodeHttpSend} sends: the request line, headers, an optional text body. */
export type SendInit = {
  method: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Stops the request and the reading of the body, whatever stage they are at. */
  cancellation: Cancellation;
};

/**
 * Sends one request and resolves when the status and headers arrive; rejects with the
 * socket's own error (its `code`, e.g. ECONNREFUSED, as network-failure.ts reads it).
 * Uses Node's global agents, so keep-alive and `NODE_EXTRA_CA_CERTS` behave as elsewhere;
 * like Node 20's fetch, it ignores `HTTPS_PROXY`.
 */
export async function nodeHttpSend(url: string, init: SendInit): Promise<HttpAnswer> {
  const target = new URL(url);
  // Only the module the URL needs: node:https (TLS) costs more to load than node:http.
  const { request } =
    target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
  const { cancellation } = init;
  if (cancellation.cancelled) throw cancellation.reason;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const sent = request(target, { method: init.method, headers });
    sent.once('response', resolve);
    sent.once('error', reject);
    // Destroys the request and its socket on cancellation, whatever stage it is at (the
    // answer's body too: it comes through that socket).
    cancellation.onCancel((reason) => sent.destroy(reason as Error));
    sent.end(init.body);
  });
  return {
    status: response.statusCode ?? 0,
    headers: { get: (name) => headerValue(response, name) },
    text: (endpoint) => readCapped(response, cancellation, endpoint),
    discard: async () => {
      response.destroy();
    },
  };
}

function headerValue(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The body as UTF-8 text, refused (and the connection dropped) past the size cap. */
function readCapped(response: IncomingMessage, cancellation: Cancellation, endpoint: string) {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    // (Assigned below: a cancellation that came first settles at once, before it is.)
    let stop = () => {};
    const settle = (error: unknown, text?: string) => {
      if (settled) return;
      settled = true;
      stop();
      if (error === undefined) {
        resolve(text ?? '');
        return;
      }
      response.destroy();
      reject(error);
    };
    stop = cancellation.onCancel((reason) => settle(reason ?? new Error('aborted')));
    response.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > MAX_RESPONSE_BYTES) {
        settle(
          malformed(
            { status: response.statusCode ?? 0 },
            endpoint,
            `a body over ${MAX_RESPONSE_BYTES} bytes`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => settle(undefined, Buffer.concat(chunks).toString('utf8')));
    response.once('error', (error) => settle(error));
    // A connection closed before the whole body came: a reset, as fetch reports it.
    response.once('close', () => {
      if (!response.complete)
        settle(Object.assign(new Error('connection closed mid-body'), { code: 'ECONNRESET' }));
    });
  });
}
