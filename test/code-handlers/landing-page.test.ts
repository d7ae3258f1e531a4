import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_LANDING_TEMPLATE,
  defaultTemplateVars,
  LANDING_PAGE_HEADERS,
  LandingPage,
} from '../../src/code-handlers/landing-page.js';
import {
  escapeHtml,
  substituteTemplate,
  TemplateError,
  templatePlaceholders,
} from '../../src/code-handlers/string-template.js';
import { UsageError } from '../../src/errors.js';

describe('string templates (Python string.Template rules)', () => {
  test('$name, braced names and $$', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Python template syntax, on purpose.
    assert.equal(substituteTemplate('$a-${b}c $$a $$', { a: '1', b: '2' }), '1-2c $a $');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Python template syntax, on purpose.
    assert.deepEqual(templatePlaceholders('$x ${y} $x $$z'), ['x', 'y']);
  });
  test('a missing value or a stray $ is an error', () => {
    assert.throws(
      () => substituteTemplate('$a $b', { a: '1' }),
      (e: unknown) => {
        assert.ok(e instanceof TemplateError);
        assert.deepEqual(e.missing, ['b']);
        return true;
      },
    );
    assert.throws(() => templatePlaceholders('line\ncosts $5'), /line 2/);
    assert.throws(() => templatePlaceholders('${a'), TemplateError);
  });
  test('values are inserted as given (no recursion into $ in values)', () => {
    assert.equal(substituteTemplate('$a', { a: '$b' }), '$b');
  });
  test('escapeHtml covers the five characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('LandingPage', () => {
  test('the default template uses the four fair-research-login variables', () => {
    const names = templatePlaceholders(DEFAULT_LANDING_TEMPLATE);
    for (const name of ['app_name', 'login_result', 'error', 'post_login_message']) {
      assert.ok(names.includes(name), name);
    }
    assert.doesNotMatch(DEFAULT_LANDING_TEMPLATE, /<script|<link|src=|url\(|@import/i);
  });

  test('renders success and error; the app name comes from the context when blank', () => {
    const page = new LandingPage();
    const ok = page.render('success', { appName: 'My <App>' });
    assert.match(ok, /Login successful/);
    assert.match(ok, /My &lt;App&gt;/);
    assert.match(ok, /<body class="success">/);
    const failed = page.render('error', { appName: 'A', error: 'denied "x"' });
    assert.match(failed, /Login failed/);
    assert.match(failed, /denied &quot;x&quot;/);
    assert.match(failed, /<body class="error">/);
  });

  test('defaults are fresh copies: changing one never changes another instance', () => {
    const vars = defaultTemplateVars();
    vars.success.login_result = 'CHANGED';
    assert.equal(defaultTemplateVars().success.login_result, 'Login successful');
    const given = { success: { login_result: 'Yay' } };
    const page = new LandingPage({ templateVars: given });
    given.success.login_result = 'Changed later';
    assert.match(page.render('success'), /Yay/);
    assert.match(new LandingPage().render('success'), /Login successful/);
  });

  test('a template that cannot be filled fails when the page is built', () => {
    assert.throws(() => new LandingPage({ template: '$unknown' }), UsageError);
    assert.throws(() => new LandingPage({ template: 'US$ 5' }), UsageError);
    const extra = new LandingPage({
      template: '$greeting',
      templateVars: { defaults: { greeting: 'hi <you>' } },
    });
    assert.equal(extra.render('success'), 'hi &lt;you&gt;');
  });

  test('security headers', () => {
    assert.match(
      LANDING_PAGE_HEADERS['Content-Security-Policy'] ?? '',
      /^default-src 'none'; style-src 'unsafe-inline'/,
    );
    assert.equal(LANDING_PAGE_HEADERS['X-Content-Type-Options'], 'nosniff');
    assert.equal(LANDING_PAGE_HEADERS['Cache-Control'], 'no-store');
    assert.equal(LANDING_PAGE_HEADERS['Referrer-Policy'], 'no-referrer');
    assert.ok(Object.isFrozen(LANDING_PAGE_HEADERS));
  });
});
