/**
 * The command line's stdout and stderr without building Node's streams for them. Node creates
 * `process.stdout` on first access, and for a pipe that is a `net.Socket`: node:net and the
 * stream modules, ~3 ms of a `native-login token` whose whole output is one line (bench/ (a),
 * (b)). So writes go straight to the file descriptor, synchronously, as Node's own stdout
 * does for files and pipes on Linux. Anything else a caller asks of the stream (`isTTY`,
 * `columns`, `on`, ...) builds the real one, and every later write goes through it too, so
 * output keeps its order.
 */
import { writeSync } from 'node:fs';

/**
 * A reader that went away (`native-login status | head -1`) is not an error: like other Unix
 * tools, stop writing to that stream and finish quietly instead of crashing on EPIPE.
 */
export function tolerateClosedPipe(stream: NodeJS.WritableStream): void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // After EPIPE the stream is destroyed, so later writes fail too: all of them are ignored.
    if (error.code === 'EPIPE' || closed) {
      closed = true;
      return;
    }
    throw error;
  });
}

type WriteCallback = (error?: Error | null) => void;

/**
 * `fd` (1 or 2) as a writable stream; `open` gives the real stream (`process.stdout`) when
 * something beyond `write` is needed. On Windows, where a console wants Node's own encoding
 * handling, it is the real stream from the start.
 */
export function directStream(fd: number, open: () => NodeJS.WriteStream): NodeJS.WriteStream {
  let real: NodeJS.WriteStream | undefined;
  let closed = false;
  const stream = (): NodeJS.WriteStream => {
    if (real === undefined) {
      real = open();
      tolerateClosedPipe(real);
    }
    return real;
  };
  if (process.platform === 'win32') return stream();
  const write = (
    chunk: string | Uint8Array,
    encodingOrDone?: BufferEncoding | WriteCallback,
    maybeDone?: WriteCallback,
  ): boolean => {
    const done = typeof encodingOrDone === 'function' ? encodingOrDone : maybeDone;
    const encoding = typeof encodingOrDone === 'string' ? encodingOrDone : 'utf8';
    if (real !== undefined) return real.write(chunk, encoding, done);
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    try {
      // A short write goes on from where it stopped.
      while (bytes.length > 0 && !closed) bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // The reader went away: the rest of the output is dropped, quietly (tolerateClosedPipe).
      if (code === 'EPIPE') closed = true;
      // A non-blocking pipe that is full: the real stream waits for it to drain.
      else if (code === 'EAGAIN') return stream().write(bytes, done);
      else throw error;
    }
    if (done !== undefined) process.nextTick(done);
    return true;
  };
  return new Proxy({} as NodeJS.WriteStream, {
    get(_, key) {
      if (key === 'write') return write;
      const target = stream();
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set: (_, key, value) => Reflect.set(stream(), key, value),
    has: (_, key) => key === 'write' || Reflect.has(stream(), key),
  });
}
