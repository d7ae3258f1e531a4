/**
 * The page the browser shows after the redirect to the local server. A template with
 * fair-research-login's variables (`$app_name`, `$login_result`, `$error`,
 * `$post_login_message`), every value HTML-escaped, served with headers that forbid scripts,
 * framing, caching and referrers.
 */
import { UsageError } from '../errors.js';
import { escapeHtml, substituteTemplate, TemplateError } from './string-template.js';

/** Values for template placeholders, by name. */
export type TemplateVars = Record<string, string>;

/** Template values in fair-research-login's shape: `defaults`, overridden per outcome. */
export type LandingPageVars = {
  defaults?: TemplateVars;
  success?: TemplateVars;
  error?: TemplateVars;
};

/** Which page to render. */
export type LandingPageOutcome = 'success' | 'error';

/** Headers for every page the local server sends. */
export const LANDING_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
});

/** The default page: self-contained (inline CSS, no external resource), light and dark. */
export const DEFAULT_LANDING_TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$login_result - $app_name</title>
<style>
:root { color-scheme: light dark; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: #f6f8fa;
  color: #1f2328; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { box-sizing: border-box; width: min(32rem, calc(100% - 2rem)); padding: 2rem 2.5rem;
  background: #fff; border-radius: 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 14%); text-align: center; }
.app { margin: 0; font-size: .8rem; letter-spacing: .06em; text-transform: uppercase; color: #59636e; }
.mark { width: 3rem; height: 3rem; margin: 1rem auto .5rem; border-radius: 50%; display: grid;
  place-items: center; color: #fff; font-size: 1.6rem; font-weight: 700; background: #59636e; }
.success .mark { background: #1a7f37; }
.success .mark::before { content: "\\2713"; }
.error .mark { background: #cf222e; }
.error .mark::before { content: "\\2715"; }
h1 { margin: .25rem 0 1rem; font-size: 1.5rem; font-weight: 600; }
p { margin: .5rem 0; }
.detail { color: #cf222e; overflow-wrap: anywhere; }
.detail:empty, .note:empty, .app:empty { display: none; }
.close { color: #59636e; font-size: .9rem; }
@media (prefers-color-scheme: dark) {
  body { background: #0d1117; color: #e6edf3; }
  main { background: #161b22; box-shadow: 0 0 0 1px #30363d; }
  .app, .close { color: #9198a1; }
  .detail { color: #ff7b72; }
}
</style>
</head>
<body class="$status">
<main>
<p class="app">$app_name</p>
<div class="mark" aria-hidden="true"></div>
<h1>$login_result</h1>
<p class="detail">$error</p>
<p class="note">$post_login_message</p>
<p class="close">You can close this window and return to the terminal.</p>
</main>
</body>
</html>
`;

/** A fresh copy of the default values (never shared, so no instance can change another's). */
export function defaultTemplateVars(): Required<LandingPageVars> {
  return {
    defaults: { app_name: '', login_result: '', post_login_message: '', error: '', status: '' },
    success: { login_result: 'Login successful', status: 'success' },
    error: { login_result: 'Login failed', status: 'error' },
  };
}

/** Options for a landing page: fair-research-login's `template` and `template_vars`. */
export type LandingPageOptions = { template?: string; templateVars?: LandingPageVars };

/** Renders the success and error pages for one handler instance. */
export class LandingPage {
  readonly #template: string;
  readonly #vars: Required<LandingPageVars>;

  /** Throws UsageError at once when the template uses a name with no value or a stray `$`. */
  constructor(options: LandingPageOptions = {}) {
    this.#template = options.template ?? DEFAULT_LANDING_TEMPLATE;
    const base = defaultTemplateVars();
    const given = options.templateVars ?? {};
    this.#vars = {
      defaults: { ...base.defaults, ...given.defaults },
      success: { ...base.success, ...given.success },
      error: { ...base.error, ...given.error },
    };
    // The built-in page is known to render (tests render it); a page of the caller's is
    // tried now, so that a bad one fails here rather than in the browser after a login.
    const custom = options.template !== undefined || options.templateVars !== undefined;
    for (const outcome of custom ? (['success', 'error'] as const) : []) {
      try {
        this.render(outcome);
      } catch (error) {
        const why = error instanceof TemplateError ? error.message : String(error);
        throw new UsageError(`The local server's landing page template is unusable: ${why}`, {
          cause: error,
        });
      }
    }
  }

  /**
   * The page for `outcome`. `appName` fills `$app_name` when the vars leave it blank (as
   * fair-research-login does); `error` fills `$error`. Every value is escaped.
   */
  render(outcome: LandingPageOutcome, context: { appName?: string; error?: string } = {}): string {
    const vars: TemplateVars = { ...this.#vars.defaults, ...this.#vars[outcome] };
    if (!vars['app_name'] && context.appName) vars['app_name'] = context.appName;
    if (context.error !== undefined) vars['error'] = context.error;
    const escaped: TemplateVars = {};
    for (const [name, value] of Object.entries(vars)) escaped[name] = escapeHtml(String(value));
    return substituteTemplate(this.#template, escaped);
  }
}

/** A small page for requests that are not the login answer (wrong path, method, state…). */
export function renderProblemPage(status: number, title: string, detail: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p></body></html>
`;
}
