/**
 * Opening the login URL in a browser. `open` (v11) honours `$BROWSER` only through xdg-open's
 * generic mode on Linux (not under GNOME/KDE, never on macOS/Windows), so we honour it ourselves,
 * the way Python's `webbrowser` reads it, and fall back to `open` when it is unset.
 */
import { spawn } from 'node:child_process';
import { isRedirectFileUrl } from './redirect-file.js';

/** Options for `defaultOpenBrowser`; the defaults are the real process's. */
export type OpenBrowserOptions = {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
};

/**
 * Opens `url` with `$BROWSER` when set, else the system's default browser (via `open`).
 * Accepts http(s) URLs and the `file:` URL of a live redirect page from `writeRedirectFile`.
 */
export async function defaultOpenBrowser(
  url: string,
  options: OpenBrowserOptions = {},
): Promise<void> {
  // Only web URLs, or a redirect page we wrote ourselves: anything else could be a file to
  // execute or an option to the browser.
  if (!/^https?:\/\//i.test(url) && !isRedirectFileUrl(url)) {
    throw new Error('Only http(s) URLs are opened in a browser.');
  }
  const env = options.env ?? process.env;
  const browser = env['BROWSER'];
  if (browser) {
    await launchFirst(browserCommands(browser, url, options.platform ?? process.platform), env);
    return;
  }
  // Loaded lazily: `open` probes WSL/containers at import time, which most commands never need.
  const { default: open } = await import('open');
  await open(url);
}

/**
 * The commands `$BROWSER` asks for: a list separated like PATH, each entry a command line
 * (quotes allowed, no shell) in which `%s` stands for the URL, else the URL is appended.
 */
export function browserCommands(value: string, url: string, platform: string): string[][] {
  const separator = platform === 'win32' ? ';' : ':';
  const commands: string[][] = [];
  for (const entry of value.split(separator)) {
    const words = splitCommandLine(entry);
    if (words.length === 0) continue;
    const hasPlaceholder = words.some((word) => word.includes('%s'));
    commands.push(
      hasPlaceholder ? words.map((word) => word.replaceAll('%s', url)) : [...words, url],
    );
  }
  return commands;
}

/** Splits a command line at unquoted whitespace; '…' and "…" group words. No escapes, no shell. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | null = null;
  for (const char of line) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Starts the first command that can be started; rejects listing why each one failed. */
async function launchFirst(commands: string[][], env: NodeJS.ProcessEnv): Promise<void> {
  const failures: string[] = [];
  for (const [command, ...args] of commands) {
    if (command === undefined) continue;
    try {
      await spawnDetached(command, args, env);
      return;
    } catch (error) {
      failures.push(`${command}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(
    failures.length === 0
      ? 'BROWSER is set but names no command.'
      : `Could not start the browser named by BROWSER (${failures.join('; ')}).`,
  );
}

/** Starts a process that outlives us and never holds our event loop open. */
function spawnDetached(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', env });
    // A listener stays attached so a late error can never crash the process.
    child.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? 'failed')));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
