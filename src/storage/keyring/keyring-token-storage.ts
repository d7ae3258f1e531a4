import { join } from 'node:path';
import { InvalidTokenFormat, TokenStorageError, UsageError } from '../../errors.js';
import { nodeCrypto } from '../../node-crypto.js';
import {
  type TokenGroup,
  type TokensByResourceServer,
  validateTokenGroup,
  validateTokens,
} from '../../tokens/token-group.js';
import type { FileLockOptions } from '../file/file-lock.js';
import type { InstanceLock } from '../instance-lock.js';
import type { TokenStorage } from '../token-storage.js';
import {
  asciiJson,
  DEFAULT_KEYRING_SERVICE,
  groupAccount,
  isValidKeyringClientId,
} from './keyring-layout.js';
import type { KeyringRequest } from './keyring-worker.js';
import { DEFAULT_KEYRING_TIMEOUT_MS, runKeyringWorker } from './run-keyring-worker.js';

/** A request as the storage builds it; the service and client id are added by `#run`. */
type WithoutClient<T> = T extends unknown ? Omit<T, 'service' | 'clientId'> : never;

/** Options of `KeyringTokenStorage`. */
export type KeyringTokenStorageOptions = {
  /** The client id whose tokens these are (each client has its own items). */
  clientId: string;
  /** The keychain service name of the items; default `native-login`. */
  service?: string;
  /** How long one keychain operation may take before it is killed (ms); default 20 000. */
  timeoutMs?: number;
  /** Timing of the cross-process lock file. */
  lock?: FileLockOptions;
  /** The folder of the lock file; default a private runtime folder (see privateRuntimeFolder). */
  lockFolder?: string;
  /** The environment (D-Bus address, runtime folder); default `process.env`. */
  env?: NodeJS.ProcessEnv;
};

/**
 * Tokens in the operating system's keychain (macOS Keychain, Windows Credential Manager, the
 * Secret Service on Linux) through the optional package `@napi-rs/keyring`, loaded on first
 * use in a child process that is killed past `timeoutMs`. One item per resource server plus
 * an index (keyring-layout.ts); a lock file in a private folder serialises writers and
 * refreshes across processes, since keychains have no locks. Every keychain failure is a
 * KeychainUnavailable.
 */
export class KeyringTokenStorage implements TokenStorage {
  /** The client id the items belong to. */
  readonly clientId: string;
  /** The keychain service name of the items. */
  readonly service: string;
  /** Where the tokens are, in words (for `native-login status`). */
  readonly location: string;
  readonly #timeoutMs: number;
  readonly #env: NodeJS.ProcessEnv;
  readonly #lockFile: () => Promise<() => Promise<void>>;
  #lock: Promise<InstanceLock> | undefined;

  constructor(options: KeyringTokenStorageOptions) {
    const { clientId } = options;
    if (typeof clientId !== 'string' || !isValidKeyringClientId(clientId)) {
      throw new UsageError('KeyringTokenStorage needs a clientId without "/", "#" or controls.');
    }
    this.clientId = clientId;
    this.service = options.service ?? DEFAULT_KEYRING_SERVICE;
    if (this.service === '') throw new UsageError('The keychain service name cannot be empty.');
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_KEYRING_TIMEOUT_MS;
    if (!(this.#timeoutMs > 0 && Number.isFinite(this.#timeoutMs))) {
      throw new UsageError('The keychain timeoutMs must be a positive number of milliseconds.');
    }
    this.#env = options.env ?? process.env;
    this.location = `the system keychain (service "${this.service}", account "${clientId}")`;
    this.#lockFile = async () => {
      // Loaded on first lock: `import 'native-login'` loads no file-writing code (bench/ (a)).
      const [{ privateRuntimeFolder }, { acquireFileLock }] = await Promise.all([
        import('../file/private-runtime-folder.js'),
        import('../file/file-lock.js'),
      ]);
      const folder = options.lockFolder ?? (await privateRuntimeFolder(this.#env));
      const name = nodeCrypto()
        .createHash('sha256')
        .update(`${this.service}\0${clientId}`)
        .digest('hex');
      const file = join(folder, `keyring-${name.slice(0, 24)}.lock`);
      const held = await acquireFileLock(file, options.lock);
      return () => held.release();
    };
  }

  /** The lock, built on first use: importing native-login must not load node:async_hooks. */
  #getLock(): Promise<InstanceLock> {
    this.#lock ??= import('../instance-lock.js').then(
      ({ InstanceLock }) => new InstanceLock(this.#lockFile),
    );
    return this.#lock;
  }

  /** The stored tokens by resource server; `{}` when none. */
  async readTokens(): Promise<TokensByResourceServer> {
    const { groups = {} } = await this.#run({ op: 'read' });
    const tokens: TokensByResourceServer = {};
    for (const [rs, text] of Object.entries(groups)) tokens[rs] = this.#parse(rs, text);
    return tokens;
  }

  /** Merges `tokens` by resource server: each group replaces that item whole. */
  async writeTokens(tokens: TokensByResourceServer): Promise<void> {
    const valid = validateTokens(tokens, 'tokens to store');
    const groups: Record<string, string> = {};
    for (const [rs, group] of Object.entries(valid)) groups[rs] = asciiJson(group);
    if (Object.keys(groups).length === 0) return;
    await (await this.#getLock()).exclusive(() => this.#run({ op: 'write', groups }));
  }

  /** Deletes every item of this client: the groups, their parts and the index. */
  async clearTokens(): Promise<void> {
    await (await this.#getLock()).exclusive(() => this.#run({ op: 'clear' }));
  }

  /** Runs `fn` holding the lock file of this client's items; calls inside do not lock again. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    return (await this.#getLock()).withLock(fn);
  }

  #run(request: WithoutClient<KeyringRequest>) {
    const full = { ...request, service: this.service, clientId: this.clientId } as KeyringRequest;
    return runKeyringWorker(full, { timeoutMs: this.#timeoutMs, env: this.#env });
  }

  #parse(rs: string, text: string): TokenGroup {
    const item = `${this.service} / ${groupAccount(this.clientId, rs)}`;
    try {
      const group = validateTokenGroup(JSON.parse(text), `keychain item ${item}`);
      if (group.resource_server !== rs) throw new Error('another resource server');
      return group;
    } catch (error) {
      // Never the JSON.parse message: it may quote the item, which holds tokens.
      const why = error instanceof InvalidTokenFormat ? error.message : 'it is not a token group.';
      throw new TokenStorageError(`The keychain item ${item} is damaged: ${why}`, {
        cause: error instanceof InvalidTokenFormat ? error : undefined,
        hint: 'Log out (native-login logout --ignore-errors) and log in again.',
      });
    }
  }
}
