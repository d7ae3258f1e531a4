/**
 * Command-line parsing with `node:util` parseArgs (no framework, so start-up stays fast).
 * Global options may come before or after the command name.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { didYouMean, unknownOptionAdvice } from './did-you-mean.js';
import { GARE_OPTIONS } from './gare-options.js';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** The options every command accepts. */
export const GLOBAL_OPTIONS = {
  'client-id': { type: 'string' },
  storage: { type: 'string' },
  'app-name': { type: 'string' },
  environment: { type: 'string' },
  'auth-url': { type: 'string' },
  'client-secret-file': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionSpecs;

/** Each command's own options. */
export const COMMAND_OPTIONS = {
  login: {
    scope: { type: 'string', short: 's', multiple: true },
    'refresh-tokens': { type: 'boolean' },
    force: { type: 'boolean' },
    replace: { type: 'boolean' },
    'no-local-server': { type: 'boolean' },
    'no-browser': { type: 'boolean' },
    'prefill-named-grant': { type: 'string' },
    'query-param': { type: 'string', multiple: true },
    timeout: { type: 'string' },
    ...GARE_OPTIONS,
  },
  status: { json: { type: 'boolean' } },
  token: {
    'resource-server': { type: 'string', short: 'r' },
    scope: { type: 'string', short: 's', multiple: true },
  },
  whoami: { json: { type: 'boolean' }, scope: { type: 'string', short: 's', multiple: true } },
  logout: { 'ignore-errors': { type: 'boolean' } },
  migrate: {
    from: { type: 'string' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'remove-source': { type: 'boolean' },
  },
  demo: {},
  help: {},
} as const satisfies Record<string, OptionSpecs>;

/** A command that `native-login` runs itself (the emulator parses its own arguments). */
export type CommandName = keyof typeof COMMAND_OPTIONS;

/** Every command name, in the order the help lists them. */
export const COMMANDS: readonly string[] = [...Object.keys(COMMAND_OPTIONS), 'emulator'];

/** Parsed option values: strings, booleans and lists of strings. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** The command found in argv and everything around it. */
export type ParsedCommandLine = {
  /** The command name, or undefined when none was given. */
  command: string | undefined;
  /** Arguments after the command name (for commands that parse their own, like `emulator`). */
  rest: string[];
  /** Parsed global and command options (empty for `emulator`). */
  values: OptionValues;
  /** Extra positional arguments (only `help <command>` takes one). */
  positionals: string[];
};

const VALUE_GLOBALS = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, spec]) => spec.type === 'string')
    .map(([name]) => `--${name}`),
);

/** Finds the command name: the first argument that is neither an option nor an option's value. */
export function findCommand(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') return -1;
    if (VALUE_GLOBALS.has(arg)) {
      i += 1;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') return i;
  }
  return -1;
}

/** Parses argv (without node and the script); throws UsageError on an unknown command or flag. */
export function parseCommandLine(input: readonly string[]): ParsedCommandLine {
  const argv = splitShortEquals(input);
  const index = findCommand(argv);
  const command = index === -1 ? undefined : argv[index];
  if (command === 'emulator') {
    const globals = parseStrict(argv.slice(0, index), GLOBAL_OPTIONS, false, undefined);
    return { command, rest: argv.slice(index + 1), values: globals.values, positionals: [] };
  }
  if (command !== undefined && !Object.hasOwn(COMMAND_OPTIONS, command)) {
    const guess = didYouMean(command, COMMANDS).trim();
    throw new UsageError(`Unknown command ${JSON.stringify(command)}.`, {
      hint: guess || `Commands: ${COMMANDS.join(', ')}. See native-login --help.`,
    });
  }
  const own: OptionSpecs = command ? COMMAND_OPTIONS[command as CommandName] : {};
  const args = index === -1 ? [...argv] : [...argv.slice(0, index), ...argv.slice(index + 1)];
  const parsed = parseStrict(args, { ...GLOBAL_OPTIONS, ...own }, command === 'help', command);
  return { command, rest: argv.slice(index + 1), ...parsed };
}

function parseStrict(
  args: string[],
  options: OptionSpecs,
  allowPositionals: boolean,
  command: string | undefined,
): { values: OptionValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs explains at length (e.g. how to pass a value starting with "-"): keep line one.
    const first = message.split('\n')[0] ?? message;
    const help = `See native-login ${command === undefined ? '' : `${command} `}--help.`;
    throw new UsageError(first.replace(/\.?$/, '.'), {
      cause: error,
      hint: `${unknownOptionAdvice(first, Object.keys(options), COMMAND_OPTIONS)}${help}`,
    });
  }
}

/**
 * `-r=auth.globus.org` means `-r auth.globus.org` to people (parseArgs would read the value as
 * `=auth.globus.org`), so a short option's `=` is split off before parsing.
 */
export function splitShortEquals(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    // `-x=value`: a dash, one ASCII letter, `=`. String checks, not an expression: V8
    // compiles one on its first run and again on its second, and this runs for every word.
    const letter = arg.charCodeAt(1) | 0x20; // lower-cased if it is a letter
    if (arg[0] === '-' && arg[2] === '=' && letter >= 97 && letter <= 122) {
      out.push(arg.slice(0, 2), arg.slice(3));
    } else out.push(arg);
  }
  return out;
}

/** `K=V` pairs into an object; a repeated key becomes a list (passed through as given). */
export function parseQueryParams(pairs: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(`--query-param needs KEY=VALUE, got ${JSON.stringify(pair)}.`, {
        hint: 'Example: --query-param session_required_single_domain=example.org',
      });
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const existing = out[key];
    out[key] =
      existing === undefined
        ? value
        : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return out;
}

/** Seconds (a positive number) into milliseconds, for `--timeout`. */
export function parseTimeoutSeconds(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `--timeout needs a positive number of seconds, got ${JSON.stringify(text)}.`,
      {
        hint: 'Example: --timeout 300 (five minutes).',
      },
    );
  }
  return Math.round(seconds * 1000);
}

/** A string option's value, or undefined. */
export function stringValue(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable option's values (empty when absent). */
export function listValue(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}
