/**
 * `node:crypto` on first use. Loading it costs a few milliseconds of start-up (it brings in
 * ciphers and streams), and a script that only reads or refreshes stored tokens never needs
 * it, so the modules that `import('native-login')` loads reach it through this function
 * instead of a static import (bench/ (a), (b)).
 */
type NodeCrypto = typeof import('node:crypto');
let loaded: NodeCrypto | undefined;

/** The `node:crypto` module, loaded (synchronously) the first time it is asked for. */
export function nodeCrypto(): NodeCrypto {
  // process.getBuiltinModule is Node ≥ 20.16; the built package is CommonJS, where `require`
  // always exists (the sources run as ES modules only in the tests, on a newer Node).
  loaded ??= process.getBuiltinModule?.('node:crypto') ?? require('node:crypto');
  return loaded;
}
