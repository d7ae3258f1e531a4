/**
 * The emulator in a process of its own (`native-login emulator`), so that its work (RSA
 * signing, bookkeeping) never runs on the event loop being measured, and so that a
 * synchronous spawn of the CLI cannot stall it. Controlled over its HTTP control surface.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** Starts `node dist/cli/main.js emulator --port 0 --auto-approve`; resolves with its controls. */
export async function startEmulatorProcess({ cliPath, tokenLifetimeSeconds }) {
  const args = [cliPath, 'emulator', '--port', '0', '--auto-approve'];
  if (tokenLifetimeSeconds !== undefined)
    args.push('--token-lifetime', String(tokenLifetimeSeconds));
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(),
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const first = once(lines, 'line');
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the emulator exited (${code}) before printing its URL: ${stderr.trim()}`);
  });
  const [url] = await Promise.race([first, exited]);
  exited.catch(() => undefined);
  lines.close();

  return {
    ...emulatorControls(url),
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      await gone;
    },
  };
}

/** The control surface of an emulator at `url` (also usable from another process). */
export function emulatorControls(url) {
  const control = async (method, path) => {
    const headers = method === 'GET' ? {} : { 'content-type': 'application/json' };
    const response = await fetch(new URL(`_emulator/${path}`, url), { method, headers });
    if (!response.ok) throw new Error(`emulator control ${path}: ${response.status}`);
    return response.json();
  };
  return {
    url,
    counters: () => control('GET', 'counters'),
    resetCounters: () => control('POST', 'counters/reset'),
  };
}

/** The environment for child processes: ours without NODE_OPTIONS (no loaders, no inspector). */
export function childEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.NODE_OPTIONS;
  return env;
}
