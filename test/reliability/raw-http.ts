/**
 * Raw TCP requests to a loopback port for the local-server attacks: whatever bytes we like
 * (junk, slow, oversized), the status line that comes back and the body; and a look at the
 * kernel's table of listening sockets.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** What came back: the HTTP status (undefined if none), the body, and any socket error code. */
export type RawAnswer = { status: number | undefined; body: string; error: string | undefined };

/** Sends `payload` to 127.0.0.1:`port`, ends, and reads until the server closes (or `timeoutMs`). */
export function rawRequest(
  port: number,
  payload: string | Buffer,
  timeoutMs = 5000,
): Promise<RawAnswer> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = 'timeout';
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      done({ status: status === undefined ? undefined : Number(status), body, error });
    });
    // Ending our side tells the server nothing more is coming, so a cut request is answered
    // (or dropped) at once instead of after the server's header timeout.
    socket.end(payload);
  });
}

/** A GET request for `target` as a browser would send it. */
export function get(target: string, extra = ''): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`;
}

/** Opens a connection that sends half a request line and then nothing (a slow client). */
export function halfOpen(
  port: number,
  partial: string,
): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    // Drain whatever the server answers (a 408 when its header timeout fires first, as on a
    // loaded machine): a paused socket never sees the server's FIN, so 'close' never came.
    socket.resume();
    socket.once('connect', () => {
      socket.write(partial);
      done({ socket, closed });
    });
    socket.once('error', fail);
  });
}

/** The local addresses the kernel lists as LISTENing on `port` (IPv4 and IPv6 tables). */
export function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local = '', , state = ''] = line.trim().split(/\s+/);
      const [address = '', portHex = ''] = local.split(':');
      if (portHex === hexPort && state === '0A') out.push(decodeAddress(address));
    }
  }
  return out;
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) {
    // IPv4, little-endian: 0100007F is 127.0.0.1.
    return [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
  }
  return hex === '00000000000000000000000000000000'
    ? '::'
    : hex === '00000000000000000000000001000000'
      ? '::1'
      : `ipv6:${hex}`;
}

/** The redirect URI's port and the state of an authorize URL. */
export function redirectParts(authorizeUrl: string): {
  port: number;
  state: string;
  redirect: string;
} {
  const url = new URL(authorizeUrl);
  const redirect = url.searchParams.get('redirect_uri') ?? '';
  return {
    port: Number(new URL(redirect).port),
    state: url.searchParams.get('state') ?? '',
    redirect,
  };
}

/** What a real browser does with auto-approve: authorize, then follow the redirect; the page. */
export async function followLogin(authorizeUrl: string): Promise<Response> {
  const answer = await fetch(authorizeUrl, { redirect: 'manual' });
  await answer.body?.cancel();
  return fetch(answer.headers.get('location') ?? '');
}
