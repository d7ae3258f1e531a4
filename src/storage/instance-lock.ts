import { AsyncLocalStorage } from 'node:async_hooks';
import { createMutex, inTurn } from './create-mutex.js';

/** Releases what was acquired. */
export type Release = () => void | Promise<void>;

/** One instance's hold on its lock, as seen from an async context. */
type Hold = { readonly lock: InstanceLock; active: boolean };

/**
 * The holds of the current async context, for every lock in the process. One
 * AsyncLocalStorage on purpose (the exception to "no module state"): Node keeps each one that
 * was ever used enabled for the life of the process and every promise pays for all of them,
 * so one per storage would make a service that builds a storage per request slower and
 * bigger without bound. It holds no data of its own, only what each context is running under.
 */
const HOLDS = new AsyncLocalStorage<readonly Hold[]>();

/**
 * The lock of one storage instance: serialises work in this process and, through
 * `acquireOuter`, across processes. `withLock` is re-entrant within its callback's async
 * context; `exclusive` additionally serialises read-modify-write steps started in parallel
 * inside one `withLock` callback.
 */
export class InstanceLock {
  readonly #queue = createMutex();
  readonly #steps = createMutex();
  readonly #acquireOuter: (() => Promise<Release>) | undefined;

  constructor(acquireOuter?: () => Promise<Release>) {
    this.#acquireOuter = acquireOuter;
  }

  /** Whether the caller runs inside this instance's `withLock`. */
  get held(): boolean {
    return HOLDS.getStore()?.some((hold) => hold.lock === this && hold.active) === true;
  }

  /** Runs `fn` holding the lock; nested calls from within `fn` do not lock again. */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held) return fn();
    const releaseQueue = await this.#queue();
    try {
      const releaseOuter = await this.#acquireOuter?.();
      // A flag rather than mere presence: work that `fn` leaves running after it returns must
      // not believe it still holds the lock.
      const hold: Hold = { lock: this, active: true };
      try {
        return await HOLDS.run([...(HOLDS.getStore() ?? []), hold], fn);
      } finally {
        hold.active = false;
        await releaseOuter?.();
      }
    } finally {
      releaseQueue();
    }
  }

  /** Runs one read-modify-write step under the lock, one step at a time. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.withLock(() => inTurn(this.#steps, fn));
  }
}
