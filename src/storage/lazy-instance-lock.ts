import type { InstanceLock, Release } from './instance-lock.js';

/**
 * An `InstanceLock` built on its first `withLock`: the server storages are loaded by
 * `import('native-login')`, which must not load node:async_hooks.
 */
export class LazyInstanceLock {
  readonly #acquireOuter: () => Promise<Release>;
  #lock: InstanceLock | undefined;

  constructor(acquireOuter: () => Promise<Release>) {
    this.#acquireOuter = acquireOuter;
  }

  /** Whether the caller runs inside this lock's `withLock` (false before its first use). */
  get held(): boolean {
    return this.#lock?.held === true;
  }

  /** Runs `fn` holding the lock; nested calls from within `fn` do not lock again. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#lock === undefined) {
      const { InstanceLock } = await import('./instance-lock.js');
      this.#lock ??= new InstanceLock(this.#acquireOuter);
    }
    return this.#lock.withLock(fn);
  }
}
