/**
 * `login --gare FILE|-` and the `--session-*` / `--prompt` flags → the authorization
 * parameters of a login. The file may hold a GARE or a whole API error body (e.g. saved from
 * curl); a flag given on the command line wins over the same field of the file.
 */
import { UsageError } from '../errors.js';
import type { GareAuthorizationParameters } from '../gare/gare-types.js';
import { parseGare } from '../gare/parse-gare.js';
import { listValue, type OptionValues, stringValue } from './args.js';

/** The login options that carry requirements (added to `login`'s own). */
export const GARE_OPTIONS = {
  gare: { type: 'string' },
  'session-required-identity': { type: 'string', multiple: true },
  'session-required-single-domain': { type: 'string', multiple: true },
  'session-required-policy': { type: 'string', multiple: true },
  'session-required-mfa': { type: 'boolean' },
  'session-message': { type: 'string' },
  prompt: { type: 'string' },
} as const;

const LARGEST_GARE_FILE = 1024 * 1024;

/** The authorization parameters the flags ask for, or undefined when none was given. */
export async function authorizationParametersFrom(
  values: OptionValues,
  stdin: NodeJS.ReadableStream,
): Promise<GareAuthorizationParameters | undefined> {
  const source = stringValue(values, 'gare');
  const params: GareAuthorizationParameters =
    source === undefined ? {} : { ...(await readGare(source, stdin)).authorization_parameters };
  const lists: [string, keyof GareAuthorizationParameters][] = [
    ['session-required-identity', 'session_required_identities'],
    ['session-required-single-domain', 'session_required_single_domain'],
    ['session-required-policy', 'session_required_policies'],
  ];
  for (const [flag, field] of lists) {
    const given = listValue(values, flag)
      .flatMap((v) => v.split(','))
      .filter(Boolean);
    if (given.length > 0) params[field] = given;
  }
  if (values['session-required-mfa'] === true) params.session_required_mfa = true;
  const message = stringValue(values, 'session-message');
  if (message !== undefined) params.session_message = message;
  const prompt = stringValue(values, 'prompt');
  if (prompt !== undefined) {
    if (prompt !== 'login')
      throw new UsageError(`--prompt takes only "login", got ${JSON.stringify(prompt)}.`, {
        hint: 'Example: native-login login --prompt login (a fresh authentication).',
      });
    params.prompt = prompt;
  }
  const given = source !== undefined || Object.keys(params).length > 0;
  return given ? params : undefined;
}

async function readGare(source: string, stdin: NodeJS.ReadableStream) {
  const where = source === '-' ? 'standard input' : source;
  let text: string;
  try {
    // node:fs/promises only when a --gare file is given: `token` must not load it (bench/ (a)).
    text =
      source === '-'
        ? await readAll(stdin)
        : await (await import('node:fs/promises')).readFile(source, 'utf8');
  } catch (error) {
    throw new UsageError(`--gare: cannot read ${where}.`, {
      cause: error,
      hint: 'Give a file holding the JSON error body, or - to read it from standard input.',
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--gare: ${where} is not JSON.`, {
      cause: error,
      hint: 'Save the error body the service answered (e.g. curl -s … > error.json).',
    });
  }
  const gare = parseGare(body);
  if (gare === null)
    throw new UsageError(`--gare: ${where} holds no Globus Auth requirements (GARE).`, {
      hint: 'It needs authorization_parameters, or a ConsentRequired error with required_scopes.',
    });
  return gare;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > LARGEST_GARE_FILE) throw new Error('too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
