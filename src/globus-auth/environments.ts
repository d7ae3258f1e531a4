import { UsageError } from '../errors.js';

/** Globus Auth's base URL in each Globus environment (`GLOBUS_SDK_ENVIRONMENT` names). */
export const AUTH_ENVIRONMENTS: Readonly<Record<string, string>> = Object.freeze({
  production: 'https://auth.globus.org/',
  preview: 'https://auth.preview.globus.org/',
  sandbox: 'https://auth.sandbox.globuscs.info/',
  integration: 'https://auth.integration.globuscs.info/',
  test: 'https://auth.test.globuscs.info/',
  staging: 'https://auth.staging.globuscs.info/',
});

/** Options for {@link resolveAuthBaseUrl}; `env` defaults to `process.env`, read at call time. */
export type ResolveAuthBaseUrlOptions = {
  authBaseUrl?: string | undefined;
  environment?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
};

/**
 * The Globus Auth base URL to use, always with a trailing slash. Precedence (as globus-sdk):
 * the `authBaseUrl` option, then `GLOBUS_SDK_SERVICE_URL_AUTH`, then the `environment`
 * option, then `GLOBUS_SDK_ENVIRONMENT`, then production.
 */
export function resolveAuthBaseUrl(options: ResolveAuthBaseUrlOptions = {}): string {
  const env = options.env ?? process.env;
  if (nonEmpty(options.authBaseUrl)) return normalizeBaseUrl(options.authBaseUrl, 'authBaseUrl');
  const fromEnv = env['GLOBUS_SDK_SERVICE_URL_AUTH'];
  if (nonEmpty(fromEnv)) return normalizeBaseUrl(fromEnv, 'GLOBUS_SDK_SERVICE_URL_AUTH');
  if (nonEmpty(options.environment)) return environmentUrl(options.environment, 'environment');
  const envName = env['GLOBUS_SDK_ENVIRONMENT'];
  if (nonEmpty(envName)) return environmentUrl(envName, 'GLOBUS_SDK_ENVIRONMENT');
  return AUTH_ENVIRONMENTS['production'] as string;
}

/**
 * Checks that `url` is an absolute http(s) URL without query or fragment and returns it with
 * a trailing slash, so endpoint paths can be appended (`<base>v2/oauth2/token`).
 */
export function normalizeBaseUrl(url: string, source = 'the auth base URL'): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch (cause) {
    throw new UsageError(`${source} is not a valid URL: ${JSON.stringify(url)}.`, { cause });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(
      `${source} must be an http(s) URL, not ${parsed.protocol.replace(/:$/, '')}: ${JSON.stringify(url)}.`,
    );
  }
  // Credentials in the URL would be sent with every call and echoed in error messages.
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UsageError(`${source} must not contain a user name or password.`);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new UsageError(`${source} must not have a query string or fragment: ${parsed.origin}.`);
  }
  const href = parsed.href;
  return href.endsWith('/') ? href : `${href}/`;
}

function environmentUrl(name: string, source: string): string {
  const key = name.trim().toLowerCase();
  const url = Object.hasOwn(AUTH_ENVIRONMENTS, key) ? AUTH_ENVIRONMENTS[key] : undefined;
  if (url === undefined) {
    throw new UsageError(
      `Unknown Globus environment ${JSON.stringify(name)} (from ${source}). ` +
        `Valid names: ${Object.keys(AUTH_ENVIRONMENTS).join(', ')}.`,
      { hint: 'Or set GLOBUS_SDK_SERVICE_URL_AUTH (or --auth-url) to the auth base URL.' },
    );
  }
  return url;
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}
