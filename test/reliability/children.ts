/**
 * Real child processes for the reliability suite: our own small worker scripts (run with
 * Node and tsx) and the `native-login` CLI, with line-by-line access to their output, a
 * stdin to drive them, and their end. Every process is started from the repo root.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clockEnv } from '../helpers/clock.js';

/** The repo root (tests always run from it). */
export const REPO = process.cwd();
/** The CLI's entry point. */
export const CLI_MAIN = resolve(REPO, 'src/cli/main.ts');
/** The preload that holds a CLI process at a barrier (see barrier-preload.ts). */
export const BARRIER_PRELOAD = resolve(REPO, 'test/reliability/barrier-preload.ts');

/** How a child ended. */
export type ChildEnd = { code: number | null; signal: NodeJS.Signals | null };

/** A running child process and what it wrote so far. */
export type Child = {
  proc: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Writes one line to its stdin. */
  send: (line: string) => void;
  /** Resolves with the first stdout line matching `pattern` (rejects if the child ends first). */
  waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  ended: Promise<ChildEnd>;
};

/** The path of one of this folder's worker scripts. */
export function script(name: string): string {
  return resolve(REPO, 'test/reliability', name);
}

/**
 * A minimal environment: PATH, HOME, this process's clock and what the test adds (nothing of
 * the person's leaks in).
 */
export function childEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ...clockEnv(), ...extra };
}

/** Starts `command args…` with pipes on every stream. */
export function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { cwd: REPO, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    wake();
  });
  proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  // A child killed on purpose may leave its stdin pipe broken; that is not an error here.
  proc.stdin?.on('error', () => undefined);
  const ended = new Promise<ChildEnd>((done, fail) => {
    proc.once('error', fail);
    proc.once('close', (code, signal) => {
      wake();
      done({ code, signal });
    });
  });
  let exited = false;
  void ended.then(
    () => {
      exited = true;
    },
    () => {
      exited = true;
    },
  );
  const waitForLine = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((done, fail) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        fail(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr: ${err}`));
      }, timeoutMs);
      const check = () => {
        const line = out.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined || exited) {
          clearTimeout(timer);
          waiters.delete(check);
          if (line !== undefined) done(line);
          else fail(new Error(`child ended before printing ${pattern}; stderr: ${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    proc,
    pid: proc.pid ?? -1,
    stdout: () => out,
    stderr: () => err,
    send: (line) => {
      proc.stdin?.write(`${line}\n`);
    },
    waitForLine,
    ended,
  };
}

/** Starts one of this folder's worker scripts with Node and tsx. */
export function startWorker(name: string, args: readonly string[], env: NodeJS.ProcessEnv): Child {
  return start(process.execPath, ['--import', 'tsx', script(name), ...args], env);
}

/** Starts `native-login args…`; with `barrier`, it waits at the barrier before running. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv, barrier?: string): Child {
  const preload = barrier === undefined ? [] : ['--import', BARRIER_PRELOAD];
  const withBarrier = barrier === undefined ? env : { ...env, RELIABILITY_BARRIER: barrier };
  return start(process.execPath, ['--import', 'tsx', ...preload, CLI_MAIN, ...args], withBarrier);
}

/** Waits until `count` processes are parked at `barrier`, then lets them all go at once. */
export async function releaseBarrier(barrier: string, count: number, timeoutMs = 30_000) {
  const dir = resolve(barrier, '..');
  const prefix = `${resolve(barrier).slice(dir.length + 1)}.ready-`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = (await readdir(dir)).filter((name) => name.startsWith(prefix)).length;
    if (ready >= count) break;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${count} reached the barrier`);
    await sleep(10);
  }
  if (!existsSync(barrier)) await writeFile(barrier, 'go\n');
}

/** Kills every child still running (cleanup after a failed assertion). */
export function killAll(children: readonly Child[]): void {
  for (const child of children) {
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  }
}
