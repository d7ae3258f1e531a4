#!/usr/bin/env node
/**
 * The `native-login` command: owns argv, output and exit codes. Each command lives in
 * `commands/<name>.ts` and is imported only when it runs, so `native-login token` loads no
 * more than it needs.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type OptionValues, parseCommandLine } from './args.js';
import { directStream } from './direct-stream.js';
import { type CliIo, debugEnabled, EXIT, exitCodeFor, formatError, stylesFor } from './output.js';
import { type CliSettings, readSettings } from './settings.js';

/** What every command module exports. */
export type CommandRun = (
  values: OptionValues,
  settings: CliSettings,
  io: CliIo,
) => Promise<number>;

const LOADERS: Record<string, () => Promise<{ run: CommandRun }>> = {
  login: () => import('./commands/login.js'),
  status: () => import('./commands/status.js'),
  token: () => import('./commands/token.js'),
  whoami: () => import('./commands/whoami.js'),
  logout: () => import('./commands/logout.js'),
  migrate: () => import('./commands/migrate.js'),
  demo: () => import('./commands/demo.js'),
};

/** Runs `native-login` with `argv` (no node, no script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let debug = debugEnabled(io.env, argv.includes('--debug'));
  let values: OptionValues = {};
  try {
    const parsed = parseCommandLine(argv);
    const { command } = parsed;
    values = parsed.values;
    debug = debugEnabled(io.env, values['debug'] === true);
    if (values['version'] === true && command !== 'emulator') {
      io.stdout.write(`${await readVersion()}\n`);
      return EXIT.ok;
    }
    const helpFor = command === 'help' ? parsed.positionals[0] : command;
    if (command === 'emulator' || (helpFor === 'emulator' && command === 'help')) {
      // The emulator parses its own options and has its own help.
      const args = command === 'emulator' ? parsed.rest : [];
      const { runEmulatorCommand } = await import('./commands/emulator.js');
      return await runEmulatorCommand(
        values['help'] === true || command === 'help' ? ['--help', ...args] : args,
        io,
      );
    }
    if (command === 'help' || values['help'] === true) {
      const { helpText } = await import('./help.js');
      io.stdout.write(helpText(helpFor));
      return EXIT.ok;
    }
    if (command === undefined) {
      const { helpText } = await import('./help.js');
      io.stderr.write(helpText());
      return EXIT.usage;
    }
    // A client secret means "act as the confidential client" (checked here without loading
    // that module, so a person's `token` starts as fast as before).
    if (
      command !== 'demo' &&
      (values['client-secret-file'] || io.env['NATIVE_LOGIN_CLIENT_SECRET'])
    ) {
      const { runClientCredentials } = await import('./client-credentials-command.js');
      return await runClientCredentials(command, values, readSettings(values, io.env), io);
    }
    const loader = LOADERS[command];
    if (loader === undefined) throw new Error(`No module for the command ${command}.`);
    const { run } = await loader();
    return await run(values, readSettings(values, io.env), io);
  } catch (thrown) {
    const { restateError } = await import('./restate-error.js');
    const error = restateError(thrown, values, io.env);
    // Styles only now: asking whether stderr is a terminal builds Node's stream for it.
    io.stderr.write(formatError(error, stylesFor(io.stderr, io.env), debug));
    return exitCodeFor(error);
  }
}

/** The package version, read from package.json next to dist/ (or src/) only when asked. */
async function readVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const file = new URL('../../package.json', import.meta.url);
  const pkg = JSON.parse(await readFile(file, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** True when this file is the program node was asked to run (not imported by a test). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // No top-level await: the built CLI is CommonJS (scripts/build.mjs says why).
  void main(process.argv.slice(2), {
    // Written to directly; Node's streams are built only if a command needs more than writes.
    stdout: directStream(1, () => process.stdout),
    stderr: directStream(2, () => process.stderr),
    env: process.env,
    // Node builds process.stdin on first access (~1 ms, a stream over /dev/null or a pipe):
    // only the commands that read it pay for it.
    get stdin() {
      return process.stdin;
    },
  }).then((code) => {
    process.exitCode = code;
    // Whatever still holds the event loop (a stray socket, a stdin reader) must not keep a
    // finished command alive; the timer itself does not hold it.
    setTimeout(() => process.exit(code), 2000).unref();
  });
}
