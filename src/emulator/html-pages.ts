/**
 * The emulator's HTML: the consent page, the authorize error page and the auth-code helper
 * page. Every value that came from a request is escaped; the pages load nothing and run no
 * script, so the strict Content-Security-Policy of `sendHtml` holds.
 */

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2733;
    background:#eef2f6;display:flex;min-height:100vh;align-items:center;justify-content:center}
  main{background:#fff;max-width:34rem;width:100%;margin:1rem;padding:2rem;border-radius:12px;
    box-shadow:0 4px 24px rgba(20,40,60,.12)}
  .brand{font-size:.8rem;letter-spacing:.08em;text-transform:uppercase;color:#5b6b7c}
  h1{font-size:1.4rem;margin:.25rem 0 1rem}
  ul{padding-left:1.2rem}
  li code,dd{word-break:break-all}
  dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;font-size:.9rem}
  dt{color:#5b6b7c}
  dd{margin:0}
  .buttons{display:flex;gap:.75rem;margin-top:1.5rem}
  button{font:inherit;padding:.6rem 1.4rem;border-radius:8px;border:1px solid #1f5f99;cursor:pointer}
  .allow{background:#1f5f99;color:#fff}
  .decline{background:#fff;color:#1f5f99}
  .code{display:block;font-size:1.3rem;padding:.75rem;background:#f3f6f9;border-radius:8px;
    user-select:all;word-break:break-all}
  .error{color:#a01c1c}
  .note{font-size:.85rem;color:#5b6b7c}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="brand">Globus Auth emulator</div>
${body}
</main>
</body>
</html>
`;
}

/** The session parameters a consent page shows when they were sent. */
export const SESSION_PARAMETERS = [
  'session_required_identities',
  'session_required_single_domain',
  'session_required_policies',
  'session_required_mfa',
  'session_message',
  'prompt',
] as const;

/** What the consent page shows. */
export interface ConsentDetails {
  appName: string;
  clientId: string;
  identityName: string;
  identityUsername: string;
  scopes: readonly string[];
  session: ReadonlyArray<readonly [string, string]>;
  /** The person's linked identities, to pick the one to authenticate with. */
  identities?: ReadonlyArray<{ sub: string; username: string }>;
  chosenIdentity?: string;
  /** Whether the request asks for MFA (the "MFA done" box starts ticked). */
  mfaRequired?: boolean;
  /** Where the form posts. */
  action: string;
  transaction: string;
}

/** The consent page: the app, the scopes, session parameters, Allow and Decline. */
export function consentPage(details: ConsentDetails): string {
  const scopes = details.scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('\n');
  const session = details.session
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('\n');
  return page(
    `Allow ${details.appName}?`,
    `<h1 id="app-name">${escapeHtml(details.appName)} would like to:</h1>
<ul id="scopes">
${scopes}
</ul>
<p class="note">Signed in as ${escapeHtml(details.identityName)}
(${escapeHtml(details.identityUsername)}). Client id
<code id="client-id">${escapeHtml(details.clientId)}</code>.</p>
${session ? `<h2>Session requirements</h2>\n<dl id="session">\n${session}\n</dl>` : ''}
<form method="post" action="${escapeHtml(details.action)}">
<input type="hidden" name="transaction" value="${escapeHtml(details.transaction)}">
${sessionChoices(details)}
<div class="buttons">
<button type="submit" class="allow" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" class="decline" id="decline" name="decision" value="decline">Decline</button>
</div>
</form>`,
  );
}

/** Radio buttons for the identity to authenticate with, and the emulator's stand-in for MFA. */
function sessionChoices(details: ConsentDetails): string {
  const identities = details.identities ?? [];
  if (identities.length < 2 && !details.mfaRequired) return '';
  const radios = identities
    .map(
      (i) =>
        `<label><input type="radio" name="identity" value="${escapeHtml(i.sub)}"${i.sub === details.chosenIdentity ? ' checked' : ''}> ${escapeHtml(i.username)}</label><br>`,
    )
    .join('\n');
  return `<fieldset id="identities"><legend>Authenticate as</legend>
${radios}
<label><input type="checkbox" id="mfa" name="mfa" value="done"${details.mfaRequired ? ' checked' : ''}> Complete multi-factor authentication (MFA)</label>
</fieldset>`;
}

/** The page Globus shows instead of redirecting when an authorize request is bad. */
export function authorizeErrorPage(detail: string): string {
  return page(
    'Authorization request failed',
    `<h1>Something went wrong</h1>
<p class="error" id="error-code">Error code: OAUTH_AUTH_REQUEST_FAILURE</p>
<p id="error-detail">${escapeHtml(detail)}</p>
<p class="note">The application sent a request that cannot be completed. It was not sent back
to the application.</p>`,
  );
}

/** The helper page at /v2/web/auth-code: the code to paste, or the error that came back. */
export function authCodePage(query: URLSearchParams): string {
  const error = query.get('error');
  if (error !== null) {
    const description = query.get('error_description') ?? '';
    return page(
      'Login failed',
      `<h1>Login did not complete</h1>
<p class="error">Error: <code id="auth-error">${escapeHtml(error)}</code></p>
<p id="auth-error-description">${escapeHtml(description)}</p>`,
    );
  }
  const code = query.get('code') ?? '';
  return page(
    'Native App Authorization Code',
    `<h1>Native App Authorization Code</h1>
<p>Copy this code and paste it into the application:</p>
<code class="code" id="auth-code">${escapeHtml(code)}</code>
<p class="note">The code works once, for a few minutes.</p>`,
  );
}
