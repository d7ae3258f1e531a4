/**
 * One attempt's cancellation, by its timeout or by the caller's AbortSignal. Not an
 * AbortController: the first one a process makes loads Node's abort_controller module, and
 * node:http, given a signal, ties it to the request through the streams' abort helpers:
 * together ~0.8 ms of a short-lived process's refresh (docs/performance.md). The node:http
 * path takes this object; an injected fetch still gets a real AbortSignal.
 */
export class Cancellation {
  #cancelled = false;
  #reason: unknown;
  readonly #listeners = new Set<(reason: unknown) => void>();

  /** Whether {@link cancel} was called. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** What {@link cancel} was called with. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Cancels, once: every listener runs with `reason`. */
  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    for (const listener of [...this.#listeners]) listener(reason);
    this.#listeners.clear();
  }

  /** Runs `listener` on cancellation (at once if cancelled already); returns its removal. */
  onCancel(listener: (reason: unknown) => void): () => void {
    if (this.#cancelled) {
      listener(this.#reason);
      return () => {};
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}
