/**
 * A scripted "browser" for tests: an `openBrowser` that fetches the authorize URL, follows
 * redirects, and on a consent page submits its form with the Allow (or Decline) button, the
 * way a person would. It speaks only HTTP, so it works against any server on loopback.
 */
import { PassThrough } from 'node:stream';
import { NativeClient } from '../../src/native-client.js';
import type { TokenStorage } from '../../src/storage/token-storage.js';
import type { TokensByResourceServer } from '../../src/tokens/token-group.js';

export type ScriptedBrowser = {
  openBrowser: (url: string) => Promise<void>;
  /** Every URL visited, in order. */
  visits: string[];
  /** The body of the last page shown. */
  lastPage: () => string;
  /** Resolves when the last openBrowser finished (or failed). */
  done: () => Promise<void>;
};

export function scriptedBrowser(
  options: { decision?: 'allow' | 'decline'; fetch?: typeof fetch } = {},
): ScriptedBrowser {
  const fetchImpl = options.fetch ?? fetch;
  const decision = options.decision ?? 'allow';
  const visits: string[] = [];
  let last = '';
  let running: Promise<void> = Promise.resolve();
  const cookies = new Map<string, string>();

  async function request(url: string, init: RequestInit = {}): Promise<Response> {
    visits.push(url);
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const response = await fetchImpl(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  }

  async function browse(start: string): Promise<void> {
    let response = await request(start);
    let url = start;
    for (let hop = 0; hop < 20; hop += 1) {
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        url = new URL(location, url).toString();
        response = await request(url);
        continue;
      }
      last = await response.text();
      const form = findForm(last, decision);
      if (!form) return;
      const action = new URL(form.action || url, url).toString();
      response = await request(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form.fields).toString(),
      });
      url = action;
    }
    throw new Error('scripted browser: too many hops');
  }

  return {
    visits,
    lastPage: () => last,
    done: () => running,
    openBrowser: (url: string) => {
      // Like a real browser, opening returns at once; the page loads in the background.
      running = browse(url).catch((error: unknown) => {
        last = `scripted browser failed: ${String(error)}`;
      });
      return Promise.resolve();
    },
  };
}

type Form = { action: string; fields: [string, string][] };

/** Finds a POST form and the submit button for the decision (by value, name or label). */
function findForm(html: string, decision: string): Form | null {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  for (const [, attrs = '', body = ''] of forms) {
    if (!/method\s*=\s*["']?post/i.test(attrs)) continue;
    const fields: [string, string][] = [];
    for (const [, inputAttrs = ''] of body.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(inputAttrs, 'name');
      const type = (attr(inputAttrs, 'type') ?? 'text').toLowerCase();
      // Like a browser: an unticked radio button or checkbox sends nothing.
      const unticked =
        (type === 'radio' || type === 'checkbox') && !/\bchecked\b/i.test(inputAttrs);
      if (name && type !== 'submit' && !unticked)
        fields.push([name, decode(attr(inputAttrs, 'value') ?? '')]);
    }
    const buttons = [...body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)];
    const button = buttons.find(([, b = '', label = '']) =>
      new RegExp(decision === 'allow' ? 'allow|approve|accept' : 'decline|deny|reject', 'i').test(
        `${attr(b, 'value') ?? ''} ${attr(b, 'name') ?? ''} ${label}`,
      ),
    );
    if (!button) continue;
    const name = attr(button[1] ?? '', 'name');
    if (name) fields.push([name, decode(attr(button[1] ?? '', 'value') ?? '')]);
    return { action: decode(attr(attrs, 'action') ?? ''), fields };
  }
  return null;
}

function attr(attrs: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(
    attrs,
  );
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

function decode(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A login of `clientId` with refresh tokens against the auth server at `authBaseUrl`, the
 * scripted browser allowing, saved into `tokenStorage`: tokens to start a CLI test from.
 */
export function loginWithScriptedBrowser(
  authBaseUrl: string,
  clientId: string,
  tokenStorage: TokenStorage,
): Promise<TokensByResourceServer> {
  return new NativeClient({
    clientId,
    authBaseUrl,
    tokenStorage,
    openBrowser: scriptedBrowser({ decision: 'allow' }).openBrowser,
    stdin: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
  }).login({ refreshTokens: true });
}
