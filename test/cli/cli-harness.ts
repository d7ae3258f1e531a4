/**
 * Running `native-login` as a real child process for the end-to-end tests: `node --import tsx
 * src/cli/main.ts …` from the repo root, with a clean environment (so the person's SSH session,
 * display or Globus variables never leak in) and a temporary HOME.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { clockEnv } from '../helpers/clock.js';

/** The repo root (tests always run from it). */
export const REPO = process.cwd();
/** The CLI's source entry. */
export const MAIN = resolve(REPO, 'src/cli/main.ts');
/** The client id the tests log in with. */
export const TEST_CLIENT_ID = '8f6b1f43-3c1e-4d0a-9d57-1f2b9f0c7a21';

/** What a finished run left behind. */
export type CliResult = { code: number | null; stdout: string; stderr: string };

/** A running CLI: its process, what it wrote so far, and its end. */
export type CliRun = {
  child: ChildProcess;
  stderrSoFar: () => string;
  done: Promise<CliResult>;
};

/** A minimal environment: PATH, HOME, this process's clock, and what the test adds. */
export function baseEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    ...clockEnv(),
  };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

/** Starts `native-login <args>`; stdin stays open unless `input` is given (then it is ended). */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { input?: string; detached?: boolean } = {},
): CliRun {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: REPO,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  const done = new Promise<CliResult>((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
  return { child, stderrSoFar: () => stderr, done };
}

/** Runs `native-login <args>` to the end with stdin closed (or holding `input`). */
export function runCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<CliResult> {
  return startCli(args, env, { input }).done;
}

/** Waits until `predicate` holds for the run's stderr (or the run ends). */
export async function waitForStderr(run: CliRun, pattern: RegExp): Promise<RegExpMatchArray> {
  let ended = false;
  void run.done.then(() => {
    ended = true;
  });
  for (;;) {
    const match = pattern.exec(run.stderrSoFar());
    if (match) return match;
    if (ended) throw new Error(`The CLI ended before printing ${pattern}:\n${run.stderrSoFar()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Writes a `BROWSER` command for the CLI: a node script that loads the URL and follows the
 * redirects (the emulator approves at once), so the code reaches the CLI's local server.
 */
export async function writeBrowserScript(dir: string): Promise<string> {
  const script = join(dir, 'browser.mjs');
  await writeFile(
    script,
    [
      'const url = process.argv[2];',
      "if (!/^http:\\/\\/127\\.0\\.0\\.1[:/]/.test(url)) throw new Error('not loopback: ' + url);",
      'const response = await fetch(url);',
      'await response.arrayBuffer();',
      '',
    ].join('\n'),
  );
  await chmod(script, 0o755);
  return `"${process.execPath}" "${script}"`;
}

/** A loopback port nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Fetches the authorize URL like a person would and reads the code off the auth-code page. */
export async function codeFromHelperPage(authorizeUrl: string): Promise<string> {
  const response = await fetch(authorizeUrl);
  const page = await response.text();
  const match = /id="auth-code">([^<]+)</.exec(page);
  if (!match?.[1]) throw new Error(`no code on the helper page (${response.url})`);
  return match[1];
}
