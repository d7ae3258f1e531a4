/**
 * Telling the person where to log in: the URL is always printed (a browser may silently fail to
 * appear), and a browser is opened only where that can help.
 */
import type { CodeHandlerContext } from './code-handler.js';
import { shouldOpenBrowser } from './remote-session.js';

/** The parts of the context `showLoginUrl` uses. */
export type ShowLoginUrlContext = Pick<
  CodeHandlerContext,
  'appName' | 'noBrowser' | 'openBrowser' | 'stderr' | 'env'
>;

/**
 * Prints the URL on stderr and, when allowed, starts opening a browser without waiting for it:
 * a browser launcher that hangs must not delay the wait, and one that fails is only reported.
 * The browser gets `browserUrl` (the local server's one-time link or a redirect page's file URL),
 * never the authorize URL, so no login secret reaches a process's argv; without one no browser
 * is opened. Returns whether a browser was asked to open.
 */
export function showLoginUrl(
  authorizeUrl: string,
  ctx: ShowLoginUrlContext,
  browserUrl: string | undefined,
): boolean {
  const openIt = browserUrl !== undefined && shouldOpenBrowser(ctx);
  const target = ctx.appName ? ` to ${ctx.appName}` : '';
  ctx.stderr.write(
    openIt
      ? `Opening a browser to log in${target}. If it does not open, visit this URL:\n`
      : `Please open this URL in a browser to log in${target}:\n`,
  );
  ctx.stderr.write(`\n  ${authorizeUrl}\n\n`);
  if (openIt) {
    const url = browserUrl;
    Promise.resolve()
      .then(() => ctx.openBrowser(url))
      .catch((error: unknown) => {
        const why = error instanceof Error ? error.message : String(error);
        ctx.stderr.write(`Could not open a browser (${why}); open the URL above yourself.\n`);
      });
  }
  return openIt;
}
