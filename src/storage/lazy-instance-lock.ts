import type { InstanceLock, Release } from './instance-lock.js';

/**
 * An `InstanceLock` built on its first `withLock`: the server storages are loaded by
 * `import('native-login')`, which must not load node:async_hooks.
 */
export class LazyInstanceLock {
  readonly #acquireOuter: () => Promise<Release>;
  #lock: InstanceLock | undefined;
  /** The lock's promise; every caller waits on it, so callers queue in the order they called. */
  #loading: Promise<InstanceLock> | undefined;

  constructor(acquireOuter: () => Promise<Release>) {
    this.#acquireOuter = acquireOuter;
  }

  /** Whether the caller runs inside this lock's `withLock` (false before its first use). */
  get held(): boolean {
    return this.#lock?.held === true;
  }

  /** Runs `fn` holding the lock; nested calls from within `fn` do not lock again. */
  withLock<T>(fn: () => Promise<T>): Promise<T> {
    // Every caller goes through the same promise, even once it has settled: a shortcut for
    // later callers could overtake earlier ones still waiting on it.
    this.#loading ??= import('./instance-lock.js').then(({ InstanceLock }) => {
      this.#lock = new InstanceLock(this.#acquireOuter);
      return this.#lock;
    });
    return this.#loading.then((lock) => lock.withLock(fn));
  }
}
