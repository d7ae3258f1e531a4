/**
 * Private PostgreSQL and Redis servers for tests: started from the Debian packages in a temp
 * folder on a free loopback port, stopped (and the folder removed) by `stop()`. When the
 * package is not installed, `start…` resolves to a reason string so the test can skip.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCertificates } from './test-certificates.js';

/** Where Debian's postgresql-15 puts its programs. */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

const PG_READY = /database system is ready to accept connections/;
const REDIS_READY = /Ready to accept connections/;

/**
 * The servers' environment: ours without libfaketime. The suite must pass under `faketime`, but
 * redis-server (jemalloc) deadlocks under it, and a server on another clock than its clients is
 * what many machines look like anyway.
 */
function serverEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of Object.keys(env)) {
    if (name === 'LD_PRELOAD' || name.startsWith('FAKETIME')) delete env[name];
  }
  return env;
}

/** A running private server. */
export type PrivateServer = {
  /** The URL clients connect with (no password: loopback, trust or no auth). */
  readonly url: string;
  readonly port: number;
  /** Sends a signal to the server's main process (SIGSTOP / SIGCONT: a server that hangs). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server (waits for it to exit); it keeps its data folder. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data (after `halt`). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. Safe to call more than once. */
  stop(): Promise<void>;
};

/** A free TCP port on 127.0.0.1 (free now; the server takes it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs a server (`argv`); `ready` waits for `readyLine` in its log, `halt` signals and waits. */
function launch(argv: string[], readyLine: RegExp) {
  const [command, ...args] = argv;
  const child = spawn(command!, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: serverEnv(),
  });
  let log = '';
  let seen = 0;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    log += chunk.toString();
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => {
    for (const wake of waiters) wake();
  });
  return {
    signal: (signal: NodeJS.Signals) => child.kill(signal),
    ready: () =>
      new Promise<void>((done, fail) => {
        const timer = setTimeout(
          () => finish(new Error(`not ready in 30 s: ${log.slice(-2000)}`)),
          30_000,
        );
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) fail(error);
          else done();
        };
        const check = () => {
          const match = readyLine.exec(log.slice(seen));
          if (match) {
            seen = log.length;
            finish();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            finish(new Error(`the server exited early: ${log.slice(-2000)}`));
          }
        };
        waiters.add(check);
        check();
      }),
    halt: async (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/**
 * The words that start a server: with `setpriv`, it gets `signal` when this process dies (so a
 * test run that is killed leaves no server behind) and, as root, runs as the unprivileged
 * `postgres` user (PostgreSQL refuses to run as root).
 */
function serverPrefix(signal: NodeJS.Signals, asPostgres: boolean): string[] {
  const words = existsSync('/usr/bin/setpriv') ? ['setpriv', `--pdeathsig=${signal}`] : [];
  if (!asPostgres || process.getuid?.() !== 0) return words;
  const uid = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  return ['setpriv', `--pdeathsig=${signal}`, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'];
}

/** Starts `argv` and waits until it is ready; if it is not, kills it and removes `dir`. */
async function launchReady(argv: string[], ready: RegExp, dir: string) {
  const server = launch(argv, ready);
  try {
    await server.ready();
  } catch (error) {
    await server.halt('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}

/** Why a PostgreSQL cannot be started here, or undefined when it can. */
export function postgresMissing(): string | undefined {
  if (!existsSync(join(POSTGRES_BIN, 'postgres'))) {
    return `PostgreSQL 15 is not installed (${POSTGRES_BIN}); apt-get install postgresql`;
  }
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no "postgres" user to run PostgreSQL as';
    }
  }
  return undefined;
}

/** Why a Redis cannot be started here, or undefined when it can. */
export function redisMissing(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], {
      stdio: 'ignore',
      env: serverEnv(),
      timeout: 10_000,
    });
    return undefined;
  } catch {
    return 'redis-server is not installed; apt-get install redis-server';
  }
}

/** How to start a server: with `tls`, it speaks TLS only, with that certificate. */
export type ServerOptions = { tls?: TestCertificates };

/** Starts a private PostgreSQL 15 (database `postgres`, user `postgres`, trust on loopback). */
export async function startPostgres(options: ServerOptions = {}): Promise<PrivateServer | string> {
  const missing = postgresMissing();
  if (missing) return missing;
  const dir = await mkdtemp(join(tmpdir(), 'native-login-pg-'));
  // SIGINT is PostgreSQL's "fast" shutdown: sessions are ended, data kept.
  const prefix = serverPrefix('SIGINT', true);
  if (process.getuid?.() === 0) {
    await chmod(dir, 0o700);
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    await chown(dir, id('-u'), id('-g'));
  }
  const data = join(dir, 'data');
  const [cmd, ...rest] = [...prefix, join(POSTGRES_BIN, 'initdb')];
  execFileSync(
    cmd!,
    [...rest, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { stdio: 'pipe', env: serverEnv({ LC_ALL: 'C' }), timeout: 120_000 },
  );
  const port = await freePort();
  const args = ['-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port)];
  if (options.tls) args.push(...(await postgresTls(data, options.tls)));
  // Durability is not what these tests measure; fsync off keeps them fast.
  args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const argv = [...prefix, join(POSTGRES_BIN, 'postgres'), ...args];
  let server = await launchReady(argv, PG_READY, dir);
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    signal: (signal) => server.signal(signal),
    halt: () => server.halt('SIGINT'),
    async restart() {
      server = await launchReady(argv, PG_READY, dir);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.halt('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * PostgreSQL's TLS settings, with the certificate and key copied into its data folder (the key
 * must belong to the server's user and be 0600), and connections without TLS refused.
 */
async function postgresTls(data: string, tls: TestCertificates): Promise<string[]> {
  const cert = join(data, 'server.pem');
  const key = join(data, 'server.key');
  await copyFile(tls.cert, cert);
  await copyFile(tls.key, key);
  await chmod(key, 0o600);
  const hba = join(data, 'pg_hba.conf');
  await writeFile(
    hba,
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n',
  );
  if (process.getuid?.() === 0) {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    for (const file of [cert, key, hba]) await chown(file, id('-u'), id('-g'));
  }
  return ['-c', 'ssl=on', '-c', `ssl_cert_file=${cert}`, '-c', `ssl_key_file=${key}`];
}

/** Starts a private redis-server with the append-only file on (tokens survive a restart). */
export async function startRedis(options: ServerOptions = {}): Promise<PrivateServer | string> {
  const missing = redisMissing();
  if (missing) return missing;
  const dir = await mkdtemp(join(tmpdir(), 'native-login-redis-'));
  const port = await freePort();
  const { tls } = options;
  // With TLS, only the TLS port: a plain connection finds nobody.
  const args = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert]
    : ['--port', String(port)];
  if (tls) args.push('--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca);
  if (tls) args.push('--tls-auth-clients', 'no');
  args.push('--bind', '127.0.0.1', '--dir', dir);
  args.push('--save', '', '--appendonly', 'yes', '--appendfsync', 'always');
  const argv = [...serverPrefix('SIGTERM', false), 'redis-server', ...args];
  let server = await launchReady(argv, REDIS_READY, dir);
  let stopped = false;
  return {
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    signal: (signal) => server.signal(signal),
    halt: () => server.halt('SIGTERM'),
    async restart() {
      server = await launchReady(argv, REDIS_READY, dir);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.halt('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
