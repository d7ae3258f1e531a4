/**
 * The strongest "nothing left behind" proof: a separate process runs LocalServerCodeHandler on
 * every path and must exit by itself, without process.exit().
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collectOutput } from '../helpers/child-output.js';

const CHILD = fileURLToPath(new URL('./helpers/local-server-login-child.ts', import.meta.url));
// Only a guard against a hang: a leaked timer or socket keeps the child alive far longer.
const HANG_GUARD_MS = 30_000;

test('a process that logs in through the local server exits by itself', {
  timeout: 40_000,
}, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = collectOutput(child);
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_GUARD_MS);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  clearTimeout(guard);
  assert.equal(
    hung,
    false,
    `the child did not exit by itself; stdout: ${out.stdout} stderr: ${out.stderr}`,
  );
  assert.equal(signal, null);
  assert.equal(code, 0, out.stderr);
  const report = JSON.parse(out.stdout.trim()) as { outcomes: string[]; leftovers: string[] };
  assert.deepEqual(report.outcomes, [
    'code:c1',
    'LocalServerError',
    'LoginCancelled',
    'LoginCancelled',
  ]);
  assert.deepEqual(report.leftovers, []);
});
