/** The help texts of `native-login` and each of its commands (printed on stdout with --help). */

const GLOBALS = `Global options (before or after the command):
  --client-id ID      your app's Globus Auth client id   [env NATIVE_LOGIN_CLIENT_ID]
  --storage PATH      the token file                      [env NATIVE_LOGIN_STORAGE]
                      (default ~/.globus-native-apps.cfg, one section per client id),
                      or keyring (the system keychain), or auto (the keychain when
                      one answers, else the default file)
  --storage globus-app  share a Python GlobusApp's token file
                      (~/.globus/app/<client id>/<app name>/tokens.json)
  --app-name NAME     the GlobusApp's app_name (with globus-app) [env NATIVE_LOGIN_APP_NAME]
  --environment NAME  Globus environment: production, preview, sandbox, …
                                                          [env GLOBUS_SDK_ENVIRONMENT]
  --auth-url URL      Globus Auth base URL (wins over --environment)
                                                          [env GLOBUS_SDK_SERVICE_URL_AUTH]
  --client-secret-file PATH
                      act as a confidential client (no login): the file holding
                      its secret, readable by you only  [or env NATIVE_LOGIN_CLIENT_SECRET]
  --debug             show stack traces                   [env NATIVE_LOGIN_DEBUG=1]
  -h, --help          this help;  --version  the version`;

const MAIN = `native-login: log in to Globus Auth from the command line, keep and refresh the tokens.

Usage: native-login [global options] <command> [options]

Commands:
  login     log in (opens a browser, or paste a code) and save the tokens
  status    what is stored: resource servers, scopes, expiry (never the tokens)
  token     print a valid access token (refreshed when needed) on stdout
  whoami    who is logged in (OpenID userinfo)
  logout    revoke the tokens at Globus Auth and forget them
  migrate   copy the tokens to another storage (e.g. to a Python GlobusApp's file)
  emulator  run a local Globus Auth for tests and offline work
  demo      the whole story against a private emulator, narrated (no client id needed)
  help      help for a command: native-login help <command>

${GLOBALS}

Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 log in again, 4 Globus Auth or network,
            5 token storage (file or keychain), 124 login timed out, 130 cancelled.

Examples:
  export NATIVE_LOGIN_CLIENT_ID=<your native app's client id>
  native-login login --scope urn:globus:auth:scope:transfer.api.globus.org:all --refresh-tokens
  curl -H "Authorization: Bearer $(native-login token -r transfer.api.globus.org)" \\
    https://transfer.api.globus.org/v0.10/endpoint_search?filter_scope=my-endpoints
  native-login demo

Get a client id: register a native app at https://app.globus.org/settings/developers.
`;

const COMMAND_HELP: Record<string, string> = {
  login: `Usage: native-login login [options]

Logs in with the OAuth2 native-app flow (PKCE) and saves the tokens. The login URL is always
printed on stderr; a browser is opened when there is one. The code comes back to a local
server on 127.0.0.1, or, over SSH or with --no-local-server, you paste it from the page Globus
shows. Ctrl-C while waiting for the browser switches to pasting a code. Does nothing when the
stored tokens already cover the scopes (unless --force).

A login always asks for openid profile email (so whoami works), the scopes you give, and the
scopes already stored (and refresh tokens if you had them), so it never loses what you had.

Options:
  -s, --scope S                 a scope to ask for (repeatable)
  --refresh-tokens              ask for refresh tokens, so tokens outlive 48 hours
  --force                       log in even when the stored tokens would do
  --replace                     ask only for the scopes given (and openid profile email)
  --no-local-server             paste the code instead of receiving it on 127.0.0.1
  --no-browser                  do not open a browser (the URL is printed anyway)
  --prefill-named-grant NAME    the name Globus shows for this grant (default "<app> on <host>")
  --query-param K=V             an extra authorize parameter (repeatable)
  --timeout SECONDS             how long to wait for each way of logging in (default 600)
  --gare FILE|-                 log in to meet a service's requirements (a GARE, or the whole
                                JSON error body a Globus service answered; - reads stdin)
  --session-required-identity ID, --session-required-single-domain DOMAIN,
  --session-required-policy ID  (each repeatable), --session-required-mfa,
  --session-message TEXT, --prompt login
                                session requirements for this login (win over --gare's)

Examples:
  native-login login
  native-login login -s urn:globus:auth:scope:transfer.api.globus.org:all --refresh-tokens
  native-login login --no-local-server         # over SSH: paste the code
  native-login login --query-param session_required_single_domain=example.org --force
  curl -s -H "Authorization: Bearer $T" "$URL" > error.json; native-login login --gare error.json
  native-login login --session-required-single-domain uchicago.edu --session-required-mfa
`,
  status: `Usage: native-login status [--json]

Shows what is stored for the client id: resource servers, scopes, when each token expires,
whether it can be refreshed, and the identity. Reads the token file only: no network, no
refresh, and never prints a token.

Options:
  --json    machine-readable output (docs/cli.md gives the shape)

Exit codes: 0 at least one token is usable (valid or refreshable); 3 nothing is stored, or
every token has expired and none can be refreshed; 5 the token file is damaged.

Examples:
  native-login status
  native-login status --json | jq '.tokens[].resourceServer'
`,
  token: `Usage: native-login token [-r RESOURCE_SERVER | -s SCOPE]

Prints a valid access token and a newline on stdout, nothing else. Refreshes it first when it
has expired (or is about to) and a refresh token is stored. With no option, and tokens for
exactly one resource server stored, prints that one.

Options:
  -r, --resource-server RS   the token for this resource server
  -s, --scope S              the token holding this scope (repeatable; one resource server)

Exit code 3 means: log in again (nothing stored, expired and not refreshable, consent gone).
A typo of a stored resource server or scope is exit 2, with the nearest name suggested.

Examples:
  native-login token -r auth.globus.org
  curl -H "Authorization: Bearer $(native-login token -r transfer.api.globus.org)" \\
    https://transfer.api.globus.org/v0.10/endpoint_search?filter_scope=my-endpoints
`,
  whoami: `Usage: native-login whoami [--json] [-s SCOPE]...

Shows who is logged in, from Globus Auth's OpenID userinfo (needs the openid scope).

Options:
  --json        print the userinfo answer as JSON on stdout
  -s, --scope S also check that the stored tokens meet this scope (dependent consents
                included, asked of Globus Auth); exit 3 naming it when they do not

Examples:
  native-login whoami
  native-login whoami --json | jq -r .preferred_username
`,
  logout: `Usage: native-login logout [--ignore-errors]

Revokes every stored token at Globus Auth, then removes them from the token file (always,
even when a revocation failed). Exits 4 when a revocation failed, unless --ignore-errors.

Options:
  --ignore-errors    exit 0 even when Globus Auth could not revoke a token

Examples:
  native-login logout
`,
  migrate: `Usage: native-login migrate --from NAME --to NAME [--dry-run] [--remove-source]

Copies this client's tokens from one storage to another: ini (the fair-research-login file,
or --storage PATH), globus-app (a Python GlobusApp's JSON file; needs --app-name), keyring
(the system keychain), or a postgres:// or redis:// URL (the store of many machines,
namespace = the client id); not auto, which may be either the keychain or the file. The
tokens' identity comes from the stored id_token identity, else from Globus Auth's userinfo.
Tokens of two identities are never mixed: the copy is refused instead. The source is left as
it was unless --remove-source. Says on stderr what it copied, or would copy.

Options:
  --from NAME        where the tokens are now: ini, globus-app, keyring or a server URL
  --to NAME          where to copy them: ini, globus-app, keyring or a server URL
  --dry-run          say what would be copied, write nothing
  --remove-source    remove them from the source once copied (they are not revoked)

Exit codes: 0 copied (or would be); 2 --from and --to are one store; 3 nothing stored in
the source; 5 a storage problem.

Examples:
  native-login migrate --from ini --to globus-app --app-name "My App" --dry-run
  native-login migrate --from ini --to globus-app --app-name "My App"
  native-login migrate --from ini --to keyring
  native-login migrate --from ini --to postgres://tokens@db.example.org/tokens
  native-login --storage globus-app --app-name "My App" status
`,
  demo: `Usage: native-login demo

Runs the whole story against a private Globus Auth emulator on 127.0.0.1, narrated: log in
through the local server, status, token, userinfo through an authorizer, let a token expire
and refresh it, log out. Works in a temporary folder that it removes; never touches your token
file and never leaves this machine. No client id needed.

Example:
  native-login demo     (or: npm start)
`,
  help: `Usage: native-login help [command]

Shows the help of native-login or of one command.
`,
  emulator: `Usage: native-login emulator [--port N] …

Runs a local Globus Auth. See native-login emulator --help.
`,
};

/** The help text for a command, or the general help when `command` is undefined or unknown. */
export function helpText(command?: string): string {
  if (command === undefined || !Object.hasOwn(COMMAND_HELP, command)) return MAIN;
  return `${COMMAND_HELP[command]}\n${GLOBALS}\n`;
}
