/**
 * Preloaded (`node --import tsx --import barrier-preload.ts src/cli/main.ts …`) into CLI
 * processes that must start at the same moment: it loads the modules the command will need
 * (so start-up cost is paid before the barrier), marks itself ready with a file
 * `<barrier>.ready-<pid>`, and waits until the file `<barrier>` appears. Only then does node
 * run the CLI itself, unchanged.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const barrier = process.env['RELIABILITY_BARRIER'];
if (barrier) {
  await Promise.all([
    import('../../src/cli/commands/token.js'),
    import('../../src/cli/settings.js'),
    import('../../src/native-client.js'),
    import('../../src/storage/ini/multi-client-token-storage.js'),
  ]);
  writeFileSync(`${barrier}.ready-${process.pid}`, '');
  while (!existsSync(barrier)) await sleep(1);
}
