/**
 * `node:os` on first use. Loading it costs ~0.15 ms of every start-up, and what the start-up
 * needs from it, the home folder, HOME names on POSIX: `os.homedir()` itself reads HOME first
 * there (then the password database). The modules that `import('native-login')` loads reach
 * node:os through this file instead of a static import (bench/ (a)).
 */
type NodeOs = typeof import('node:os');
let loaded: NodeOs | undefined;

/** The `node:os` module, loaded (synchronously) the first time it is asked for. */
export function nodeOs(): NodeOs {
  // As in node-crypto.ts: process.getBuiltinModule is Node ≥ 20.16, `require` is CommonJS's.
  loaded ??= process.getBuiltinModule?.('node:os') ?? require('node:os');
  return loaded;
}

/**
 * Exactly `os.homedir()`: HOME when it is set (even empty) on POSIX, without loading node:os;
 * on Windows, where `os.homedir()` reads USERPROFILE instead, node:os itself.
 */
export function homedir(): string {
  const home = process.platform === 'win32' ? undefined : process.env['HOME'];
  return home ?? nodeOs().homedir();
}
