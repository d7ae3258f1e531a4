/**
 * `native-login token [-r RS | -s SCOPE]`: a valid access token and a newline on stdout, nothing
 * else. A token that is still valid is read straight from the file (no client, no HTTP code
 * loaded); only one that needs a refresh brings in the NativeClient.
 */
import { NoSavedTokens, ScopesMismatch, UsageError } from '../../errors.js';
import { isExpired, REFRESH_LEEWAY_SECONDS, systemNow } from '../../tokens/expiry.js';
import { missingScopes, parseScopes } from '../../tokens/scopes.js';
import type { TokenGroup, TokensByResourceServer } from '../../tokens/token-group.js';
import { listValue, type OptionValues, stringValue } from '../args.js';
import { nearest } from '../did-you-mean.js';
import { type CliIo, EXIT } from '../output.js';
import { type CliSettings, createClient } from '../settings.js';
import { openStoredTokens } from '../stored-tokens.js';

/** Prints the access token asked for, refreshing it first when needed. */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const resourceServer = stringValue(values, 'resource-server');
  const scopes = listValue(values, 'scope');
  if (resourceServer !== undefined && scopes.length > 0) {
    throw new UsageError('Use --resource-server or --scope, not both.', {
      hint: 'Example: native-login token -r transfer.api.globus.org',
    });
  }
  const { storage, tokens: stored } = await openStoredTokens(settings);
  const group = pickGroup(stored, resourceServer, scopes);
  if (scopes.some((scope) => scope.includes('['))) {
    // A dependent scope is not in the file (tokens list roots): the client asks the consents
    // API, and a missing consent is ScopesMismatch (exit 3) naming the scope.
    const client = await createClient(settings, io, { tokenStorage: storage });
    const fresh = (await client.loadTokens(scopes))[group.resource_server];
    if (fresh === undefined) throw new ScopesMismatch(scopes);
    io.stdout.write(`${fresh.access_token}\n`);
    return EXIT.ok;
  }
  let token = group.access_token;
  if (isExpired(group, systemNow(), REFRESH_LEEWAY_SECONDS)) {
    const client = await createClient(settings, io, { tokenStorage: storage });
    // Asking for this group's own scopes refreshes this group only.
    const fresh = await client.loadTokens(group.scope);
    const refreshed = fresh[group.resource_server];
    if (refreshed === undefined) throw new ScopesMismatch([group.scope]);
    token = refreshed.access_token;
  }
  io.stdout.write(`${token}\n`);
  return EXIT.ok;
}

/** Resource servers worth suggesting even when not stored (Globus's common services). */
const WELL_KNOWN_RESOURCE_SERVERS = [
  'auth.globus.org',
  'transfer.api.globus.org',
  'search.api.globus.org',
  'groups.api.globus.org',
  'flows.globus.org',
];

/** The one stored group the options point at; explains any ambiguity. */
export function pickGroup(
  stored: TokensByResourceServer,
  resourceServer: string | undefined,
  scopes: readonly string[],
): TokenGroup {
  const groups = Object.values(stored);
  if (groups.length === 0) throw new NoSavedTokens();
  const names = groups.map((group) => group.resource_server).sort();
  if (resourceServer !== undefined) {
    const group = stored[resourceServer];
    if (group !== undefined) return group;
    const guess = nearest(resourceServer, [...names, ...WELL_KNOWN_RESOURCE_SERVERS]);
    // A typo is not cured by logging in: exit 2 and name the likely word, not 3.
    if (guess !== undefined) {
      throw new UsageError(`No resource server is called ${resourceServer}.`, {
        hint: `Did you mean ${guess}? Stored: ${names.join(', ')}.`,
      });
    }
    throw new NoSavedTokens(`No token is stored for the resource server ${resourceServer}.`, {
      hint: `Stored: ${names.join(', ')}. Log in with a scope of ${resourceServer}: native-login login --scope SCOPE`,
    });
  }
  if (scopes.length > 0) {
    const storedScopes = groups.map((group) => group.scope);
    const missing = missingScopes(scopes, storedScopes);
    const known = parseScopes(storedScopes);
    for (const scope of missing) {
      const guess = nearest(scope, known);
      if (guess !== undefined) {
        throw new UsageError(`No stored token holds the scope ${scope}.`, {
          hint: `Did you mean ${guess}? See what is stored with: native-login status`,
        });
      }
    }
    if (missing.length > 0) {
      throw new ScopesMismatch(missing, {
        hint: `Log in for them too: native-login login ${missing.map((m) => `--scope ${m}`).join(' ')}`,
      });
    }
    const holding = groups.filter(
      (group) => missingScopes(scopes, group.scope).length < scopes.length,
    );
    if (holding.length === 1 && holding[0]) return holding[0];
    throw new UsageError(
      `These scopes belong to several resource servers (${holding.map((g) => g.resource_server).join(', ')}); a token is for one.`,
      { hint: 'Ask for one resource server: native-login token -r RESOURCE_SERVER' },
    );
  }
  if (groups.length === 1 && groups[0]) return groups[0];
  throw new UsageError(`Tokens for several resource servers are stored: ${names.join(', ')}.`, {
    hint: `Say which one, e.g. native-login token -r ${names[0]}`,
  });
}
