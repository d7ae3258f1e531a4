/**
 * Runs a command as a fresh process and measures it: wall time from spawn to exit, and peak
 * resident memory (GNU time's %M when /usr/bin/time exists, else a preload that records
 * `process.resourceUsage().maxRSS` at exit). Synchronous on purpose: nothing else runs in
 * this process while the child is timed (the emulator lives in its own process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PRELOAD = new URL('./max-rss-preload.mjs', import.meta.url).href;

/** `{ ms, stdout }` of one run of `command` (`{ file, args, env }`); throws unless it exits 0. */
export function timeCommand(command) {
  const began = performance.now();
  const result = spawnSync(command.file, command.args, {
    env: command.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = performance.now() - began;
  check(command, result);
  return { ms, stdout: result.stdout };
}

/** How peak memory is measured here: 'gnu-time' or 'preload'. */
export function rssMethod() {
  if (!existsSync('/usr/bin/time')) return 'preload';
  const probe = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, '-e', '0'], {
    encoding: 'utf8',
  });
  return probe.status === 0 && /^\d+$/.test(lastLine(probe.stderr)) ? 'gnu-time' : 'preload';
}

/** Peak resident memory of one run of a node `command`, in MiB. */
export function peakRss(command, method) {
  if (method === 'gnu-time') {
    const result = spawnSync('/usr/bin/time', ['-f', '%M', command.file, ...command.args], {
      env: command.env,
      encoding: 'utf8',
    });
    check(command, result);
    return Number(lastLine(result.stderr)) / 1024;
  }
  const dir = mkdtempSync(join(tmpdir(), 'native-login-rss-'));
  try {
    const file = join(dir, 'rss');
    const result = spawnSync(command.file, ['--import', PRELOAD, ...command.args], {
      env: { ...command.env, BENCH_RSS_FILE: file },
      encoding: 'utf8',
    });
    check(command, result);
    return Number(readFileSync(file, 'utf8')) / 1024;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The file name of the preload (for the README and the report). */
export const PRELOAD_PATH = fileURLToPath(PRELOAD);

function check(command, result) {
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${command.label} exited with ${result.status ?? result.signal}: ${lastLine(result.stderr ?? '')}`,
    );
  }
}

function lastLine(text) {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
