/**
 * Reading `strace -f -e trace=open,openat,creat,mkdir,mkdirat,chmod,fchmodat` logs: every file
 * created (with the mode given to open(2)) and every folder made, under one folder.
 */
import { execFileSync } from 'node:child_process';

/** One file or folder creation as the kernel was asked for it. */
export type Creation = { call: string; path: string; flags: string; mode: number | undefined };

/** Whether strace can be run here. */
export function hasStrace(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// 123 openat(AT_FDCWD, "/tmp/x/.tokens.cfg.1.ab.tmp", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 21
const OPEN =
  /^\d+\s+(open|openat|creat)\((?:AT_FDCWD, )?"([^"]*)"(?:, ([A-Z_|0-9]+))?(?:, (0[0-7]*))?\)/;
// 123 mkdir("/tmp/x/new", 0700) = 0
const MKDIR = /^\d+\s+(mkdir|mkdirat)\((?:AT_FDCWD, )?"([^"]*)", (0[0-7]*)\)/;
// 123 chmod("/tmp/x/tokens.cfg", 0644) = 0, fchmodat(AT_FDCWD, "…", 0644) = 0
const CHMOD = /^\d+\s+(chmod|fchmodat|fchmod)\((?:AT_FDCWD, )?(?:"([^"]*)"|\d+), (0[0-7]*)/;

/** The files created (O_CREAT), folders made and modes changed under `folder`. */
export function creationsUnder(log: string, folder: string): Creation[] {
  const out: Creation[] = [];
  for (const line of log.split('\n')) {
    const open = OPEN.exec(line);
    if (open) {
      const [, call = '', path = '', flags = '', mode] = open;
      if (!path.startsWith(folder)) continue;
      if (call === 'creat' || flags.includes('O_CREAT')) {
        out.push({
          call,
          path,
          flags,
          mode: mode === undefined ? undefined : Number.parseInt(mode, 8),
        });
      }
      continue;
    }
    const mkdir = MKDIR.exec(line);
    if (mkdir) {
      const [, call = '', path = '', mode = ''] = mkdir;
      if (path.startsWith(folder))
        out.push({ call, path, flags: '', mode: Number.parseInt(mode, 8) });
      continue;
    }
    const chmod = CHMOD.exec(line);
    if (chmod) {
      const [, call = '', path = '', mode = ''] = chmod;
      // fchmod names no path: count it whatever it touches, it may be a token file.
      if (call === 'fchmod' || path.startsWith(folder)) {
        out.push({ call, path: path || '(fd)', flags: '', mode: Number.parseInt(mode, 8) });
      }
    }
  }
  return out;
}

/** `0600`-style text of a mode. */
export function octal(mode: number | undefined): string {
  return mode === undefined ? 'none' : `0${mode.toString(8)}`;
}
