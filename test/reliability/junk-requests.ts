/**
 * Junk for the local login server: seeded random requests of many kinds (random bytes, other
 * paths, forged codes without or with a wrong state, POSTs, odd methods, broken headers,
 * proxy-style targets, script payloads), sent over a few connections at a time.
 */
import { below, type Random } from './prng.js';
import { get, type RawAnswer, rawRequest } from './raw-http.js';

const METHODS = ['PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'HEAD', 'CONNECT'];

function word(random: Random, max = 24): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%<>"\'';
  let out = '';
  for (let i = 0, n = 1 + below(random, max); i < n; i++) out += chars[below(random, chars.length)];
  return out;
}

/** One junk request: raw bytes to send. */
export function junkRequest(random: Random): string | Buffer {
  switch (below(random, 10)) {
    case 0: {
      const bytes = Buffer.alloc(1 + below(random, 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = below(random, 256);
      return Buffer.concat([bytes, Buffer.from('\r\n\r\n')]);
    }
    case 1:
      return get(`/${encodeURIComponent(word(random))}/${encodeURIComponent(word(random))}`);
    case 2:
      return get(`/?code=${word(random, 40)}&state=${word(random, 64)}`.replace(/[<>"'%]/g, 'x'));
    case 3:
      return get(`/?code=${word(random, 40)}`.replace(/[<>"'%]/g, 'x'));
    case 4:
      return `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\nConnection: close\r\n\r\ncode=abc&state=def12`;
    case 5:
      return get(
        `/?error=${encodeURIComponent('<script>alert(1)</script>')}&state=${word(random, 10).replace(/[<>"'%]/g, 'x')}`,
      );
    case 6:
      return `${METHODS[below(random, METHODS.length)]} / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    case 7:
      return `GET / HTTP/1.1\r\n${word(random)} no colon here\r\n\r\n`;
    case 8:
      return 'GET /\r\n\r\n';
    default:
      return get('http://evil.example/?code=x&state=y');
  }
}

/** The answers to `count` junk requests, `parallel` connections at a time, by status. */
export async function sendJunk(
  port: number,
  count: number,
  parallel: number,
  random: Random,
): Promise<{ byStatus: Record<string, number>; accepted: number; reflected: number }> {
  const byStatus: Record<string, number> = {};
  let accepted = 0;
  let reflected = 0;
  let next = 0;
  const note = (answer: RawAnswer) => {
    const key =
      answer.status === undefined
        ? `no answer (${answer.error ?? 'closed'})`
        : String(answer.status);
    byStatus[key] = (byStatus[key] ?? 0) + 1;
    if (answer.status !== undefined && answer.status < 400) accepted++;
    if (answer.body.includes('<script>alert')) reflected++;
  };
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next++;
        note(await rawRequest(port, junkRequest(random)));
      }
    }),
  );
  return { byStatus, accepted, reflected };
}
