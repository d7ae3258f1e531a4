/**
 * `node:crypto` on first use. Loading it costs a few milliseconds of start-up (it brings in
 * ciphers and streams), and a script that only reads stored tokens never needs it, so the
 * modules that `import('native-login')` loads reach it through this function instead of a
 * static import (bench/ (a)). `createRequire` keeps the call synchronous.
 */
import { createRequire } from 'node:module';

type NodeCrypto = typeof import('node:crypto');
let loaded: NodeCrypto | undefined;

/** The `node:crypto` module, loaded the first time it is asked for. */
export function nodeCrypto(): NodeCrypto {
  loaded ??= createRequire(import.meta.url)('node:crypto') as NodeCrypto;
  return loaded;
}
