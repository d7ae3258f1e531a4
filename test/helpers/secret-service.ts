/**
 * A private Secret Service for keychain tests: `dbus-run-session` with gnome-keyring's secrets
 * component, unlocked (password `pw`), in a temp HOME and XDG folders, running a command
 * (usually `node --import tsx --test <inside file>`) inside it. The whole session runs in its
 * own process group, killed at the end, so no daemon outlives the test.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput } from './child-output.js';

const TOOLS = ['dbus-run-session', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'];

/** Why keychain tests cannot run here (a tool is missing), or undefined when they can. */
export function secretServiceMissing(): string | undefined {
  const missing = TOOLS.filter(
    (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length === 0) return undefined;
  return `no Secret Service to test against (missing ${missing.join(', ')}: apt-get install gnome-keyring libsecret-tools dbus dbus-x11)`;
}

/** How the session is prepared. */
export type SessionOptions = {
  /** Unlock prompts never answer, as on a desktop nobody sits at (see lockLoginCollection). */
  unansweredPrompt?: boolean;
  /** Extra environment for the command. */
  env?: Record<string, string>;
  /** Kill everything after this long (ms); default 300 000. */
  timeoutMs?: number;
};

/** How the command ended, and its output. */
export type SessionResult = { code: number | null; stdout: string; stderr: string };

// Waits until our gnome-keyring owns the Secret Service name: a call before that would make
// D-Bus activate a second, locked daemon.
const SETUP = `
printf pw | gnome-keyring-daemon --unlock --components=secrets --foreground >/dev/null 2>&1 &
i=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; do
  i=$((i+1)); [ "$i" -gt 200 ] && { echo 'gnome-keyring did not start' >&2; exit 97; }
  sleep 0.05
done
exec "$@"
`;

/** Runs `command args…` inside a fresh Secret Service session; resolves when it ends. */
export async function runInSecretService(
  command: string,
  args: readonly string[],
  options: SessionOptions = {},
): Promise<SessionResult> {
  const root = await mkdtemp(join(tmpdir(), 'native-login-keyring-'));
  const home = join(root, 'home');
  const runtime = join(root, 'run');
  const data = join(home, '.local', 'share');
  await mkdir(runtime, { recursive: true });
  await chmod(runtime, 0o700);
  await mkdir(join(data, 'dbus-1', 'services'), { recursive: true });
  if (options.unansweredPrompt) {
    // The unlock prompter, replaced by one that never answers (a desktop left alone).
    await writeFile(
      join(data, 'dbus-1', 'services', 'org.gnome.keyring.SystemPrompter.service'),
      '[D-BUS Service]\nName=org.gnome.keyring.SystemPrompter\nExec=/bin/sleep 600\n',
    );
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: data,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_RUNTIME_DIR: runtime,
    ...options.env,
  };
  delete env['DBUS_SESSION_BUS_ADDRESS'];
  // Set by node's test runner for its children; a nested runner would then report in its
  // private format instead of running the file.
  delete env['NODE_TEST_CONTEXT'];
  const child = spawn('dbus-run-session', ['--', 'sh', '-c', SETUP, 'sh', command, ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collectOutput(child);
  const killGroup = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  };
  const timer = setTimeout(killGroup, options.timeoutMs ?? 300_000);
  try {
    const closed = new Promise<void>((done) => child.once('close', () => done()));
    const code = await new Promise<number | null>((done, fail) => {
      child.once('error', fail);
      child.once('exit', (exit) => done(exit));
    });
    // Daemons of the session (an activated prompter) may hold the output pipes open: end
    // them now rather than wait for them.
    killGroup();
    await closed;
    return {
      code,
      stdout: out.stdout,
      stderr: out.stderr.replace(/^dbus-daemon\[\d+\].*fd limit.*\n/gm, ''),
    };
  } finally {
    clearTimeout(timer);
    killGroup();
    await rm(root, { recursive: true, force: true });
  }
}

/** Locks gnome-keyring's login collection (run inside the session, after something is stored). */
export function lockLoginCollection(): void {
  const login = 'array:objpath:/org/freedesktop/secrets/collection/login';
  execFileSync('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.secrets',
    '/org/freedesktop/secrets',
    'org.freedesktop.Secret.Service.Lock',
    login,
  ]);
}
