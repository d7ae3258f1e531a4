/**
 * The few file-system calls of the token read path, as promises over `node:fs` callbacks.
 * `node:fs` is loaded with Node itself; `node:fs/promises` is not, and loading it (with the
 * stream and readline modules it brings) costs about a millisecond that `native-login token`
 * would pay on every run (bench/ (a)). The calls are the same system calls, still off the
 * main thread, and fail with the same `ErrnoException`s.
 */
import {
  close,
  fstat,
  lstat as lstatCallback,
  open,
  read,
  readlink as readlinkCallback,
  type Stats,
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

/** readlink(2). */
export function readlink(path: string): Promise<string> {
  return call((done) => readlinkCallback(path, done));
}

/** open(2) with `flags`; the descriptor must be closed with closeFile. */
export function openFile(path: string, flags: number): Promise<number> {
  return call((done) => open(path, flags, done));
}

/** fstat(2). */
export function statFile(fd: number): Promise<Stats> {
  return call((done) => fstat(fd, done));
}

/** pread(2) into `buffer` from `position`; the number of bytes read. */
export function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return call((done) => read(fd, buffer, 0, buffer.length, position, done));
}

/** close(2). */
export function closeFile(fd: number): Promise<void> {
  return new Promise((resolve, reject) => {
    close(fd, (error) => (error ? reject(error) : resolve()));
  });
}
