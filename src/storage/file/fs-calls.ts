/**
 * The file-system calls of the token read and write paths, as promises over `node:fs`
 * callbacks. `node:fs` is loaded with Node itself; `node:fs/promises` is not, and loading it
 * (with the stream, readline and watcher modules it brings) costs about a millisecond that
 * `native-login token` would pay on every run, and a refresh on every save (bench/ (a), (b)).
 * The calls are the same system calls, still off the main thread, and fail with the same
 * `ErrnoException`s. Descriptors are plain numbers: whoever opens one closes it, on every path.
 */
import {
  close,
  fchmod,
  fdatasync,
  fstat,
  fsync,
  link as linkCallback,
  lstat as lstatCallback,
  mkdir,
  open,
  readdir as readdirCallback,
  readlink as readlinkCallback,
  readv,
  realpath as realpathCallback,
  rename as renameCallback,
  type Stats,
  stat as statCallback,
  unlink as unlinkCallback,
  write,
} from 'node:fs';

function call<T>(start: (done: (error: NodeJS.ErrnoException | null, value: T) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    start((error, value) => (error ? reject(error) : resolve(value)));
  });
}

/** lstat(2). */
export function lstat(path: string): Promise<Stats> {
  return call((done) => lstatCallback(path, done));
}

/** stat(2). */
export function stat(path: string): Promise<Stats> {
  return call((done) => statCallback(path, done));
}

/** realpath(3), as `fs.promises.realpath` (the system's, not Node's JavaScript walk). */
export function realpath(path: string): Promise<string> {
  return call((done) => realpathCallback.native(path, done));
}

/** The names in a folder. */
export function readdir(path: string): Promise<string[]> {
  return call((done) => readdirCallback(path, done));
}

/** mkdir -p with `mode` for the folders it creates. */
export function makeDirs(path: string, mode: number): Promise<void> {
  return call<string | undefined>((done) => mkdir(path, { recursive: true, mode }, done)).then(
    () => undefined,
  );
}

/** rename(2). */
export function rename(from: string, to: string): Promise<void> {
  return voidCall((done) => renameCallback(from, to, done));
}

/** link(2). */
export function link(existing: string, newPath: string): Promise<void> {
  return voidCall((done) => linkCallback(existing, newPath, done));
}

/** unlink(2). */
export function unlink(path: string): Promise<void> {
  return voidCall((done) => unlinkCallback(path, done));
}

/** readlink(2). */
export function readlink(path: string): Promise<string> {
  return call((done) => readlinkCallback(path, done));
}

/**
 * open(2) with `flags` (and `mode` for a file it creates); the descriptor must be closed with
 * closeFile.
 */
export function openFile(path: string, flags: number | string, mode?: number): Promise<number> {
  return call((done) => open(path, flags, mode, done));
}

/** fstat(2). */
export function statFile(fd: number): Promise<Stats> {
  return call((done) => fstat(fd, done));
}

/** Reads into `buffer` from `position` (one preadv(2)); the number of bytes read. */
export function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  // preadv(2) of one buffer, the same read as fs.read's pread(2): fs.read checks its four
  // arguments with helpers whose first call costs a start-up more (~0.03 ms).
  return call((done) => readv(fd, [buffer], position, done));
}

/** pwrite(2) until all of `data` is written from `position` on (a short write goes on). */
export async function writeAll(fd: number, data: string | Uint8Array, position = 0): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let offset = 0; offset < bytes.length; ) {
    offset += await call<number>((done) =>
      write(fd, bytes, offset, bytes.length - offset, position + offset, done),
    );
  }
}

/** fchmod(2). */
export function chmodFile(fd: number, mode: number): Promise<void> {
  return voidCall((done) => fchmod(fd, mode, done));
}

/** fsync(2): data and metadata on disk. */
export function syncFile(fd: number): Promise<void> {
  return voidCall((done) => fsync(fd, done));
}

/** fdatasync(2). */
export function dataSyncFile(fd: number): Promise<void> {
  return voidCall((done) => fdatasync(fd, done));
}

/** close(2). */
export function closeFile(fd: number): Promise<void> {
  return voidCall((done) => close(fd, done));
}

function voidCall(start: (done: (error: NodeJS.ErrnoException | null) => void) => void) {
  return new Promise<void>((resolve, reject) => {
    start((error) => (error ? reject(error) : resolve()));
  });
}
