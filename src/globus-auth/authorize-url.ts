import { UsageError } from '../errors.js';
import { normalizeBaseUrl } from './environments.js';

/** A value accepted in `queryParams`: lists are comma-joined, `undefined` is left out. */
export type QueryParamValue = string | number | boolean | readonly string[] | undefined;

/** Everything the authorize URL carries; see GLOBUS-AUTH.md "Authorize request". */
export type AuthorizeUrlParams = {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  codeChallenge: string;
  /** `access_type=offline` when true, `online` otherwise (always sent). */
  refreshTokens: boolean;
  prefillNamedGrant?: string | undefined;
  sessionRequiredIdentities?: readonly string[] | undefined;
  sessionRequiredSingleDomain?: readonly string[] | undefined;
  sessionRequiredPolicies?: readonly string[] | undefined;
  sessionRequiredMfa?: boolean | undefined;
  sessionMessage?: string | undefined;
  /** `login` forces a fresh authentication; other values pass through as given. */
  prompt?: string | undefined;
  /** Extra parameters, passed through after the others (a known one is replaced in place). */
  queryParams?: Readonly<Record<string, QueryParamValue>> | undefined;
};

/** Parameters a caller may not override: they carry the PKCE and state protections. */
export const PROTECTED_AUTHORIZE_PARAMS: readonly string[] = Object.freeze([
  'client_id',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'response_type',
]);

/**
 * The Globus Auth authorize URL, parameters in the order the Python SDK sends them and
 * encoded byte-for-byte as Python's `urllib.parse.urlencode` does (spaces as `+`).
 * Throws UsageError when `queryParams` tries to override a protected parameter.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
export function buildAuthorizeUrl(baseUrl: string, params: AuthorizeUrlParams): string {
  const required = {
    clientId: params.clientId,
    redirectUri: params.redirectUri,
    state: params.state,
    codeChallenge: params.codeChallenge,
  };
  for (const [name, value] of Object.entries(required)) {
    if (typeof value !== 'string' || value === '')
      throw new UsageError(`The authorize URL needs a non-empty ${name}.`);
  }
  if (params.scopes.length === 0)
    throw new UsageError('The authorize URL needs at least one scope.');
  const entries = new Map<string, string>([
    ['client_id', params.clientId],
    ['redirect_uri', params.redirectUri],
    ['scope', params.scopes.join(' ')],
    ['state', params.state],
    ['response_type', 'code'],
    ['code_challenge', params.codeChallenge],
    ['code_challenge_method', 'S256'],
    ['access_type', params.refreshTokens ? 'offline' : 'online'],
  ]);
  const optional: [string, QueryParamValue][] = [
    ['prefill_named_grant', params.prefillNamedGrant],
    ['session_required_identities', params.sessionRequiredIdentities],
    ['session_required_single_domain', params.sessionRequiredSingleDomain],
    ['session_required_policies', params.sessionRequiredPolicies],
    // GLOBUS-AUTH.md (GARE): lower-case `true`/`false`; Globus reads either case.
    ['session_required_mfa', params.sessionRequiredMfa?.toString()],
    ['session_message', params.sessionMessage],
    ['prompt', params.prompt],
  ];
  for (const [key, value] of optional) setIfPresent(entries, key, value);
  for (const [key, value] of Object.entries(params.queryParams ?? {})) {
    if (PROTECTED_AUTHORIZE_PARAMS.includes(key)) {
      throw new UsageError(
        `queryParams may not set "${key}": it is set by the login flow (PKCE and state checks).`,
      );
    }
    // Like Python's dict.update: a known key keeps its place, a new one goes last.
    setIfPresent(entries, key, value);
  }
  const query = [...entries].map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
  return `${new URL('v2/oauth2/authorize', normalizeBaseUrl(baseUrl)).href}?${query}`;
}

function setIfPresent(entries: Map<string, string>, key: string, value: QueryParamValue): void {
  const text = paramText(value);
  if (text !== undefined) entries.set(key, text);
}

/** Python's str(): booleans as True/False; lists comma-joined; empty means "not set". */
function paramText(value: QueryParamValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : value.join(',');
  return text === '' ? undefined : text;
}

/** `urllib.parse.quote_plus`: only A-Z a-z 0-9 `_.-~` stay literal; space becomes `+`. */
function formEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
