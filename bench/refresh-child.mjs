/**
 * Runs scenario (e) in a fresh Node process, so that nothing the bench did before (other
 * clients, storages, a large heap) is on its clock. The parent passes the parameters as JSON
 * in BENCH_PARAMS and reads the result as JSON from stdout.
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { concurrentRefresh } from './concurrent-refresh.mjs';
import { childEnv, emulatorControls } from './emulator-process.mjs';

const SELF = fileURLToPath(import.meta.url);

/** Runs concurrentRefresh(params) in a child process against the emulator at `emulator.url`. */
export function concurrentRefreshInChild({ emulator, ...params }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF], {
      env: childEnv({ BENCH_PARAMS: JSON.stringify({ ...params, url: emulator.url }) }),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the (e) child process exited with ${code}`));
      else resolve(JSON.parse(out));
    });
  });
}

if (process.argv[1] && realpathSync(process.argv[1]) === SELF) {
  const { url, ...params } = JSON.parse(process.env.BENCH_PARAMS ?? '{}');
  const result = await concurrentRefresh({ ...params, emulator: emulatorControls(url) });
  process.stdout.write(JSON.stringify(result));
}
