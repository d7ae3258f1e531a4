/**
 * Where globus-sdk's GlobusApp keeps its JSON token file, computed exactly as Python does
 * (`_default_globus_app_filepath`, `_slugify_app_name`): the same string on every platform,
 * so both libraries open the same file. Pure: the platform, environment and home are inputs.
 */
import { UsageError } from '../../errors.js';
import { nodeOs } from '../../node-os.js';

/** What decides the file's place. */
export type GlobusAppPathOptions = {
  /** The app's Globus client id (not slugified, as in Python). */
  clientId: string;
  /** The app name GlobusApp was given (slugified into a folder name). */
  appName: string;
  /** The Globus environment; default `GLOBUS_SDK_ENVIRONMENT`, else `production`. */
  environment?: string | undefined;
  /** `process.platform` by default; `win32` selects the Windows layout. */
  platform?: NodeJS.Platform | undefined;
  /** The environment variables (HOME, LOCALAPPDATA, …); default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** The home folder when the variables do not name one; default `os.homedir()`. */
  homedir?: string | undefined;
};

// Python's pattern from the Windows naming rules, and its reserved names (fullmatch, after
// lower-casing; Python's \d is any Unicode decimal digit).
const RESERVED_CHARS = /[<>:"/\\|?*]/g;
/**
 * The reserved names, and what str.isprintable() refuses (categories C* and Z* but the ASCII
 * space). Built on first use: V8 builds Unicode-property classes when the expressions are
 * created (~0.1 ms), and `import 'native-login'` loads this file.
 */
let unicodeRules: { reservedNames: RegExp; notPrintable: RegExp } | undefined;

/**
 * GlobusApp's folder name for an app name: `<>:"/\|?*` → `+`, `.` and space → `-`,
 * non-printable characters dropped, lower-cased. An empty or reserved result is a UsageError.
 */
export function slugifyAppName(appName: string): string {
  unicodeRules ??= {
    reservedNames: /^(?:con|prn|aux|nul|com\p{Nd}|lpt\p{Nd})$/u,
    notPrintable: /[\p{C}\p{Z}]/gu,
  };
  const slug = appName
    .replace(RESERVED_CHARS, '+')
    .replace(/[. ]/g, '-')
    .replace(unicodeRules.notPrintable, (char) => (char === ' ' ? char : ''))
    .toLowerCase();
  if (unicodeRules.reservedNames.test(slug)) {
    throw new UsageError(
      `The app name ${JSON.stringify(appName)} gives a reserved file name ("${slug}").`,
      { hint: 'Choose a different app name (GlobusApp refuses this one too).' },
    );
  }
  if (slug === '') {
    throw new UsageError(
      `The app name ${JSON.stringify(appName)} gives an empty folder name once cleaned.`,
      { hint: 'Choose an app name with letters or digits in it.' },
    );
  }
  return slug;
}

/** The environment GlobusApp would use: the option, else GLOBUS_SDK_ENVIRONMENT, else production. */
export function globusAppEnvironment(
  environment: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return environment ?? env['GLOBUS_SDK_ENVIRONMENT'] ?? 'production';
}

/**
 * The token file GlobusApp uses for these options:
 * `~/.globus/app/<client id>/<slug>/[<environment>-]tokens.json`, or on Windows
 * `%LOCALAPPDATA%\globus\app\…` (else `%APPDATA%`, else `~\AppData\Local`).
 */
export function globusAppTokenPath(options: GlobusAppPathOptions): string {
  const env = options.env ?? process.env;
  const environment = globusAppEnvironment(options.environment, env);
  const filename = `${environment === 'production' ? '' : `${environment}-`}tokens.json`;
  const slug = slugifyAppName(options.appName);
  const clientId = String(options.clientId);
  if ((options.platform ?? process.platform) === 'win32') {
    // os.getenv("LOCALAPPDATA", os.getenv("APPDATA")): a LOCALAPPDATA set but empty wins
    // over APPDATA, and then (being empty) falls through to the home folder.
    let dataDir = env['LOCALAPPDATA'] ?? env['APPDATA'];
    if (!dataDir) dataDir = ntJoin(windowsHome(env, options.homedir), ['AppData', 'Local']);
    return ntJoin(dataDir, ['globus', 'app', clientId, slug, filename]);
  }
  return `${posixHome(env, options.homedir)}/.globus/app/${clientId}/${slug}/${filename}`;
}

/** os.path.expanduser('~') on POSIX: $HOME if set (even empty), trailing slashes removed. */
function posixHome(env: NodeJS.ProcessEnv, fallback: string | undefined): string {
  const home = env['HOME'] ?? fallback ?? nodeOs().homedir();
  return home.replace(/\/+$/, '');
}

/** ntpath.expanduser('~'): USERPROFILE, else HOMEDRIVE + HOMEPATH. */
function windowsHome(env: NodeJS.ProcessEnv, fallback: string | undefined): string {
  if (env['USERPROFILE'] !== undefined) return env['USERPROFILE'];
  if (env['HOMEPATH'] !== undefined) return `${env['HOMEDRIVE'] ?? ''}${env['HOMEPATH']}`;
  return fallback ?? nodeOs().homedir();
}

/** ntpath.join for relative parts: a separator unless the base already ends in one or is `X:`. */
function ntJoin(base: string, parts: readonly string[]): string {
  const sep = base === '' || /[\\/]$/.test(base) || /^[A-Za-z]:$/.test(base) ? '' : '\\';
  return `${base}${sep}${parts.join('\\')}`;
}
