import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callWithRequirements } from '../../examples/gare-redrive.js';
import { loginAgainstTheEmulator } from '../../examples/test-with-emulator.js';

// The examples are type-checked by `npm test`; the offline one also runs (docs/testing.md).
test('examples/test-with-emulator.ts logs in against the emulator', async () => {
  const token = await loginAgainstTheEmulator();
  assert.match(token, /^\S{20,}$/);
});

test('examples/gare-redrive.ts: by hand and by redrive, the call succeeds', async () => {
  assert.deepEqual(await callWithRequirements(), { manual: 200, redriven: 200 });
});

test('examples/unattended-job.ts gets a token as the client, no login', async () => {
  const { unattendedAgainstTheEmulator } = await import('../../examples/unattended-job.js');
  assert.match((await unattendedAgainstTheEmulator()) ?? '', /^Bearer \S{20,}$/);
});
