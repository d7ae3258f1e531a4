/**
 * Library errors in the command line's words: flags instead of option names, a hint for every
 * usage error, and where a failing URL came from. The library keeps its own wording for
 * programs; only what people see at the terminal is restated here.
 */
import {
  AuthFailure,
  LoginCancelled,
  type LoginException,
  NetworkError,
  UsageError,
} from '../errors.js';
import { type OptionValues, stringValue } from './args.js';

/** The error to show for `error`, given the options the command ran with. */
export function restateError(
  error: unknown,
  values: OptionValues,
  env: NodeJS.ProcessEnv,
): unknown {
  if (error instanceof NetworkError) {
    return copy(
      error,
      error.message,
      `${urlSource(values, env)} Check that it is right and reachable, then try again.`,
    );
  }
  if (error instanceof AuthFailure && error.code === 'no_input') {
    return new UsageError('No auth code could be read: there is no terminal to paste it into.', {
      cause: error,
      hint: 'Run the login in a terminal, or let the browser send the code back to this machine (leave out --no-local-server; not over SSH).',
    });
  }
  if (error instanceof LoginCancelled && isTimeout(error)) {
    return copy(
      error,
      error.message,
      'Run the login again; --timeout SECONDS waits longer (default 600).',
    );
  }
  if (error instanceof UsageError) {
    const message = error.message
      .replace(/^queryParams may not set/, '--query-param may not set')
      .replace(/^authBaseUrl /, '--auth-url ')
      .replace(/\(from environment\)/, '(from --environment)');
    const hint = error.hint ?? usageHint(message);
    if (message !== error.message || hint !== error.hint)
      return new UsageError(message, { cause: error, hint });
  }
  return error;
}

/** Whether a LoginCancelled came from a timeout rather than Ctrl-C or an abort. */
export function isTimeout(error: LoginCancelled): boolean {
  const cause = error.cause;
  return cause instanceof Error && cause.name === 'TimeoutError';
}

/** Where the auth base URL came from, in one sentence. */
function urlSource(values: OptionValues, env: NodeJS.ProcessEnv): string {
  const flag = stringValue(values, 'auth-url');
  if (flag !== undefined && flag.trim() !== '') return `The URL came from --auth-url ${flag}.`;
  const fromEnv = env['GLOBUS_SDK_SERVICE_URL_AUTH'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return `The URL came from GLOBUS_SDK_SERVICE_URL_AUTH=${fromEnv} (is the emulator still running? unset it to use Globus).`;
  }
  const name = stringValue(values, 'environment') ?? env['GLOBUS_SDK_ENVIRONMENT'];
  if (name !== undefined && name.trim() !== '')
    return `The URL is Globus Auth's in the ${name} environment.`;
  return "The URL is Globus Auth's (production).";
}

/** A hint for a usage error the library raised without one. */
function usageHint(message: string): string {
  if (message.startsWith('--query-param')) return 'Leave it out: the login sets it itself.';
  if (/auth-url|GLOBUS_SDK_SERVICE_URL_AUTH/.test(message)) {
    return 'Give the base URL only, e.g. http://127.0.0.1:8000/ (what native-login emulator prints).';
  }
  return 'See native-login --help.';
}

/** The same kind of error with new words (code, cause and fields kept by the prototype). */
function copy<T extends LoginException>(error: T, message: string, hint: string): T {
  const out = Object.create(Object.getPrototypeOf(error) as object) as T;
  Object.assign(out, error, { hint });
  Object.defineProperty(out, 'message', { value: message, writable: true, configurable: true });
  Object.defineProperty(out, 'stack', { value: error.stack, writable: true, configurable: true });
  Object.defineProperty(out, 'cause', { value: error.cause, writable: true, configurable: true });
  return out;
}
