// Test-only launcher: runs `native-login emulator` with the real process streams, the way
// src/cli/main.ts will, so the command's test can drive it as a child process.
import { runEmulatorCommand } from '../../src/cli/commands/emulator.js';

process.exitCode = await runEmulatorCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
