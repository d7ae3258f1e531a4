/**
 * Where are we running? Decides whether a loopback server or a browser can reach the person.
 * Pure functions of the environment passed in.
 */

/** True when the process runs in an SSH session (a browser here is not the person's). */
export function isRemoteSession(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env['SSH_TTY'] || env['SSH_CONNECTION'] || env['SSH_CLIENT']);
}

/** True when a browser could be shown: always on macOS/Windows, else an X/Wayland display or BROWSER. */
export function hasDisplay(env: NodeJS.ProcessEnv, platform: string = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY'] || env['BROWSER']);
}

/** The inputs `shouldOpenBrowser` looks at (a subset of CodeHandlerContext). */
export type BrowserDecisionInput = {
  noBrowser: boolean;
  env: NodeJS.ProcessEnv;
  customOpener?: boolean;
};

/**
 * Whether a handler should open a browser by itself. An opener passed in by the caller is
 * always used (unless noBrowser). An explicit BROWSER wins over the SSH
 * check because remote editors (VS Code Remote, etc.) set it to a helper that opens the URL on
 * the person's own machine.
 */
export function shouldOpenBrowser(
  ctx: BrowserDecisionInput,
  platform: string = process.platform,
): boolean {
  if (ctx.noBrowser) return false;
  // An opener the caller passed in knows where the URL should go (a notebook, a test).
  if (ctx.customOpener) return true;
  if (ctx.env['BROWSER']) return true;
  if (isRemoteSession(ctx.env)) return false;
  return hasDisplay(ctx.env, platform);
}
