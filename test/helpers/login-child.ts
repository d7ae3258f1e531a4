// Runs one whole login against a fresh emulator and closes it, then leaves the event loop
// alone: if anything (a socket, a timer, a listener) is left behind, the process never exits
// and the test that spawned it fails.
import { rm } from 'node:fs/promises';
import { setupClient } from './client-setup.js';

const s = await setupClient();
const tokens = await s.client.login({ refreshTokens: true });
await s.cleanup();
await rm(s.dir, { recursive: true, force: true });
process.stdout.write(`logged in: ${Object.keys(tokens).join(', ')}\n`);
