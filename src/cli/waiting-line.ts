/**
 * On a terminal, while the local server waits for the browser, one line under the handler's
 * own messages keeps counting: how long it has waited and when it gives up. Anything else
 * written meanwhile clears the line first, so messages never mix with it. Off a terminal the
 * handler's plain lines are all there is.
 */
import { Writable } from 'node:stream';
import type {
  AuthenticateRequest,
  AuthorizationResponse,
  CodeHandlerContext,
} from '../code-handlers/code-handler.js';
import { LocalServerCodeHandler } from '../code-handlers/local-server-code-handler.js';

const CLEAR = '\r\u001b[2K';

/** "0:07", "12:34", "1:02:03". */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** A line redrawn in place every second until stopped; `stream` must be a terminal. */
export class WaitingLine {
  readonly #target: NodeJS.WritableStream;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #started: number;
  #timer: NodeJS.Timeout | undefined;
  #shown = false;

  constructor(target: NodeJS.WritableStream, timeoutMs: number, now: () => number = Date.now) {
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    this.#now = now;
    this.#started = now();
  }

  /** The text of the line at this moment. */
  text(): string {
    const waited = (this.#now() - this.#started) / 1000;
    const limit =
      Number.isFinite(this.#timeoutMs) && this.#timeoutMs > 0
        ? `gives up in ${formatClock(this.#timeoutMs / 1000 - waited)}; `
        : '';
    return `  waiting ${formatClock(waited)} (${limit}Ctrl-C to paste a code instead)`;
  }

  /** Shows the line and redraws it every second (the timer never keeps the process alive). */
  start(): void {
    this.draw();
    this.#timer = setInterval(() => this.draw(), 1000);
    this.#timer.unref();
  }

  draw(): void {
    this.#target.write(`${CLEAR}${this.text()}`);
    this.#shown = true;
  }

  /** Removes the line (before other output, or for good). */
  clear(): void {
    if (this.#shown) this.#target.write(CLEAR);
    this.#shown = false;
  }

  /** Stops redrawing and removes the line. Idempotent. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }

  /** A stream for other writers: each write clears the line, goes out, and the line returns. */
  writerAround(): NodeJS.WritableStream {
    return new Writable({
      write: (chunk: Buffer | string, _encoding, callback) => {
        const running = this.#timer !== undefined;
        this.clear();
        this.#target.write(chunk);
        if (running) this.draw();
        callback();
      },
    });
  }
}

/** The local server handler with a {@link WaitingLine} while it waits (for terminals). */
export class LiveLocalServerCodeHandler extends LocalServerCodeHandler {
  override async authenticate(
    request: AuthenticateRequest,
    ctx: CodeHandlerContext,
  ): Promise<AuthorizationResponse> {
    const line = new WaitingLine(ctx.stderr, ctx.timeoutMs);
    // The handler prints the URL and its own waiting message synchronously, before the line.
    const pending = super.authenticate(request, { ...ctx, stderr: line.writerAround() });
    line.start();
    try {
      return await pending;
    } finally {
      line.stop();
    }
  }
}
