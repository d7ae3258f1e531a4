/** `native-login whoami [--json]`: the logged-in person, from Globus Auth's OpenID userinfo. */
import { ScopesMismatch } from '../../errors.js';
import { printable, terminalSafeJson } from '../../terminal-text.js';
import { listValue, type OptionValues } from '../args.js';
import { type CliIo, EXIT } from '../output.js';
import { type CliSettings, createClient } from '../settings.js';

/** Prints the userinfo: a few lines for people, or the whole answer as JSON. */
export async function run(values: OptionValues, settings: CliSettings, io: CliIo): Promise<number> {
  const client = await createClient(settings, io);
  // --scope: first check the stored tokens meet it (dependent consents included): exit 3 if not.
  const scopes = listValue(values, 'scope');
  if (scopes.length > 0) await client.loadTokens(scopes);
  // Loads and refreshes only the group holding openid: other resource servers do not matter.
  const info = await client.userinfo().catch((error: unknown) => {
    if (!(error instanceof ScopesMismatch)) throw error;
    throw new ScopesMismatch(error.missingScopes, {
      cause: error,
      hint: 'Log in with it (what is stored is kept): native-login login',
    });
  });
  if (values['json'] === true) {
    io.stdout.write(`${terminalSafeJson(info)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(describeUser(info));
  return EXIT.ok;
}

/** "Name (username) <email>" and the other userinfo fields, one per line. */
export function describeUser(info: Record<string, unknown>): string {
  const text = (key: string): string | undefined =>
    // Userinfo is server text: no escape sequence of it reaches the terminal.
    typeof info[key] === 'string' && printable(info[key] as string, 200) !== ''
      ? printable(info[key] as string, 200)
      : undefined;
  const name = text('name') ?? text('preferred_username') ?? text('sub') ?? 'unknown';
  const username = text('preferred_username');
  const email = text('email');
  let out = name;
  if (username !== undefined && username !== name) out += ` (${username})`;
  if (email !== undefined) out += ` <${email}>`;
  out += '\n';
  const lines: [string, string | undefined][] = [
    ['Organization', text('organization')],
    ['Identity provider', text('identity_provider_display_name') ?? text('identity_provider')],
    ['Identity id', text('sub')],
  ];
  for (const [label, value] of lines) if (value !== undefined) out += `${label}: ${value}\n`;
  return out;
}
