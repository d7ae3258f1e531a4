/**
 * A certified OpenID provider (panva's oidc-provider) on 127.0.0.1 port 0, dressed with
 * Globus-style routes, so the client can be tested against a server nobody here wrote.
 * Its login + consent interaction is one small HTML form (Allow / Decline) that a scripted
 * browser can submit.
 */
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Provider, type ProviderClient, type ProviderToken } from 'oidc-provider';

/** The native public client registered with every provider (id_tokens signed RS512). */
export const PEER_CLIENT_ID = 'native-login-peer-rs512';
/** A second native client whose id_tokens are signed RS256. */
export const PEER_CLIENT_ID_RS256 = 'native-login-peer-rs256';
/** A confidential client allowed the client_credentials grant (HTTP Basic authentication). */
export const PEER_SERVICE_CLIENT = {
  id: 'native-login-peer-service',
  // Unreserved characters only: oidc-provider form-decodes Basic credentials (RFC 6749
  // §2.3.1) while globus-sdk, and so native-login, send them as they are.
  secret: 'peer-service-secret-3kQ9zX7vB2mN5wR8tY1uI4oP6aS0dF',
} as const;
/** The one account that logs in. */
export const PEER_ACCOUNT = {
  sub: 'c8aad43e-d274-11e5-bf98-8b02896cf782',
  email: 'ada@example.org',
  name: 'Ada Lovelace',
  preferred_username: 'ada@example.org',
} as const;
/** The text the provider sends with a declined consent. */
export const DECLINE_DESCRIPTION = 'The person declined access at the consent page.';

/** A private signing JWK as oidc-provider wants it. */
export type SigningJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

/** Options of startOidcProvider. */
export type OidcPeerOptions = {
  /** Signing keys; default: a fresh RS256 and a fresh RS512 key (kids `rs256`, `rs512`). */
  keys?: SigningJwk[];
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
};

/** A running provider. */
export type OidcPeer = {
  /** The client's `authBaseUrl`: `http://127.0.0.1:<port>/`. */
  url: string;
  /** `http://127.0.0.1:<port>` (no trailing slash), as oidc-provider and RFC 9207 name it. */
  issuer: string;
  provider: Provider;
  /** Authorize requests as the provider received them (query parameters). */
  authorizeRequests: URLSearchParams[];
  /** Every request received, as `METHOD /path` (no query: it may carry a code). */
  requests: string[];
  /**
   * Deletes one access token server-side, as if it expired early. (Revoking it at the
   * revocation endpoint would, in oidc-provider, also revoke the grant's refresh tokens.)
   */
  forgetAccessToken: (value: string) => Promise<void>;
  close: () => Promise<void>;
};

/** A fresh RSA signing key (2048 bits) as a private JWK with kid, alg and use. */
export function generateSigningKey(kid: string, alg: 'RS256' | 'RS512'): SigningJwk {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}

/** Starts oidc-provider on 127.0.0.1:0 with Globus routes and two native public clients. */
export async function startOidcProvider(options: OidcPeerOptions = {}): Promise<OidcPeer> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const keys = options.keys ?? [
    generateSigningKey('rs256', 'RS256'),
    generateSigningKey('rs512', 'RS512'),
  ];
  // Codes whose authorize request said access_type=offline (Globus's way to ask for refresh).
  const offlineCodes = new Set<string>();
  const nativeClient = {
    token_endpoint_auth_method: 'none',
    application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // RFC 8252 §7.3: for a native client oidc-provider accepts this loopback URI on any port.
    redirect_uris: ['http://127.0.0.1/'],
  };
  const provider = new Provider(issuer, {
    clients: [
      { ...nativeClient, client_id: PEER_CLIENT_ID, id_token_signed_response_alg: 'RS512' },
      { ...nativeClient, client_id: PEER_CLIENT_ID_RS256, id_token_signed_response_alg: 'RS256' },
      {
        client_id: PEER_SERVICE_CLIENT.id,
        client_secret: PEER_SERVICE_CLIENT.secret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys },
    routes: {
      authorization: '/v2/oauth2/authorize',
      token: '/v2/oauth2/token',
      revocation: '/v2/oauth2/token/revoke',
      userinfo: '/v2/oauth2/userinfo',
      jwks: '/jwk.json',
    },
    pkce: { required: () => true },
    extraParams: ['access_type'],
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({ ...PEER_ACCOUNT, sub, email_verified: true }),
    }),
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') && offlineCodes.has(code.jti),
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'RS512'] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: ProviderClient, token: ProviderToken) =>
          token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    cookies: { keys: ['native-login-peer-test-cookie-key'] },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: options.accessTokenTtl ?? 3600,
      ClientCredentials: options.accessTokenTtl ?? 3600,
      AuthorizationCode: 120,
      IdToken: 3600,
      RefreshToken: 86_400,
      Grant: 86_400,
      Session: 86_400,
      Interaction: 600,
    },
  });
  provider.on('authorization.success', (ctx, out) => {
    const code = (out as { code?: unknown }).code;
    if (typeof code === 'string' && ctx.oidc.params?.['access_type'] === 'offline') {
      offlineCodes.add(code);
    }
  });
  const authorizeRequests: URLSearchParams[] = [];
  const requests: string[] = [];
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    requests.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/v2/oauth2/authorize') authorizeRequests.push(url.searchParams);
    if (url.pathname.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
      return;
    }
    callback(req, res);
  });
  return {
    url: `${issuer}/`,
    issuer,
    provider,
    authorizeRequests,
    requests,
    forgetAccessToken: async (value) => {
      await (await provider.AccessToken.find(value))?.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GET shows the consent form; POST finishes login + consent at once (or declines). */
async function interaction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const scope = String(details.params['scope'] ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html><html><body><h1>Consent</h1><p>Scopes: ${escapeHtml(scope)}</p>
<form method="post" action="/interaction/${details.uid}">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="decline">Decline</button>
</form></body></html>`);
    return;
  }
  const body = new URLSearchParams(await readBody(req));
  if (body.get('decision') !== 'allow') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: DECLINE_DESCRIPTION },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = PEER_ACCOUNT.sub;
  const clientId = String(details.params['client_id']);
  const grant = details.grantId
    ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
    : new provider.Grant({ accountId, clientId });
  grant.addOIDCScope(String(details.params['scope'] ?? 'openid'));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** What came back to the redirect URI: its query parameters. */
export type AuthorizeOutcome = URLSearchParams;

/**
 * Drives the authorize endpoint like a browser (cookies, redirects, the consent form) and
 * stops at the redirect to `redirectUri` without requesting it, so no listener is needed.
 */
export async function authorizeDirectly(
  peer: OidcPeer,
  params: {
    clientId?: string;
    redirectUri: string;
    codeChallenge: string;
    scope?: string;
    state?: string;
    accessType?: 'online' | 'offline';
    decision?: 'allow' | 'decline';
  },
): Promise<AuthorizeOutcome> {
  const query = new URLSearchParams({
    client_id: params.clientId ?? PEER_CLIENT_ID,
    redirect_uri: params.redirectUri,
    scope: params.scope ?? 'openid profile email',
    state: params.state ?? 'direct-state',
    response_type: 'code',
    code_challenge: params.codeChallenge,
    code_challenge_method: 'S256',
    access_type: params.accessType ?? 'offline',
  });
  const cookies = new Map<string, string>();
  let url = `${peer.url}v2/oauth2/authorize?${query}`;
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop += 1) {
    const headers = new Headers(init.headers);
    headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = response.headers.get('location');
    const body = await response.text();
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(params.redirectUri)) return next.searchParams;
      url = next.href;
      init = {};
      continue;
    }
    const action = /<form method="post" action="([^"]+)"/.exec(body)?.[1];
    if (!action)
      throw new Error(`authorizeDirectly: no consent form at ${url}: ${body.slice(0, 300)}`);
    url = new URL(action, url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: params.decision ?? 'allow' }).toString(),
    };
  }
  throw new Error('authorizeDirectly: too many hops');
}
