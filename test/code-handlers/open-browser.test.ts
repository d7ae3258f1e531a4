/** defaultOpenBrowser honours BROWSER with real child processes; the parsing is pure. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { InputCodeHandler } from '../../src/code-handlers/input-code-handler.js';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import {
  browserCommands,
  defaultOpenBrowser,
  splitCommandLine,
} from '../../src/code-handlers/open-browser.js';
import { writeRedirectFile } from '../../src/code-handlers/redirect-file.js';
import { makeFakeBrowser } from './helpers/fake-browser.js';
import { httpRequest, makeContext } from './helpers/handler-context.js';

const URL_ = 'https://auth.example.org/v2/oauth2/authorize?a=1&b=2';
const SECRET_URL =
  'https://auth.example.org/v2/oauth2/authorize?client_id=c&state=St4te&code_challenge=Ch4ll&code_challenge_method=S256';

/** Waits until `read` returns something (the fake browser is a separate process). */
async function eventually<T>(read: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 400; i += 1) {
    const value = await read();
    if (value !== null) return value;
    await delay(25);
  }
  throw new Error('the fake browser never ran');
}

describe('browserCommands / splitCommandLine', () => {
  test('appends the URL, or puts it where %s is', () => {
    assert.deepEqual(browserCommands('firefox', URL_, 'linux'), [['firefox', URL_]]);
    assert.deepEqual(browserCommands('open -a Safari %s', URL_, 'darwin'), [
      ['open', '-a', 'Safari', URL_],
    ]);
    assert.deepEqual(browserCommands('w3m --url=%s', URL_, 'linux'), [['w3m', `--url=${URL_}`]]);
  });

  test('splits entries like PATH (":" on POSIX, ";" on Windows) and skips empty ones', () => {
    assert.deepEqual(browserCommands('a::b --x', URL_, 'linux'), [
      ['a', URL_],
      ['b', '--x', URL_],
    ]);
    assert.deepEqual(browserCommands('"C:\\Program Files\\b.exe";c', URL_, 'win32'), [
      ['C:\\Program Files\\b.exe', URL_],
      ['c', URL_],
    ]);
    assert.deepEqual(browserCommands(' : ', URL_, 'linux'), []);
  });

  test('quotes group words; nothing is interpreted by a shell', () => {
    assert.deepEqual(splitCommandLine(`  "/opt/my browser/run" --flag 'a b' ''  `), [
      '/opt/my browser/run',
      '--flag',
      'a b',
      '',
    ]);
    assert.deepEqual(splitCommandLine('echo $HOME; rm -rf /'), [
      'echo',
      '$HOME;',
      'rm',
      '-rf',
      '/',
    ]);
  });
});

describe('defaultOpenBrowser', { timeout: 30_000 }, () => {
  test('runs the BROWSER command with the URL as one argument', async () => {
    const browser = await makeFakeBrowser({ follow: false });
    try {
      await defaultOpenBrowser(URL_, { env: { BROWSER: browser.script } });
      assert.deepEqual(await eventually(browser.recordedArgv), [URL_]);
    } finally {
      await browser.remove();
    }
  });

  test('falls through entries that cannot be started', async () => {
    const browser = await makeFakeBrowser({ follow: false });
    try {
      const env = { BROWSER: `/nonexistent/browser:${browser.script} --new-window` };
      await defaultOpenBrowser(URL_, { env, platform: 'linux' });
      assert.deepEqual(await eventually(browser.recordedArgv), ['--new-window', URL_]);
    } finally {
      await browser.remove();
    }
  });

  test('rejects, naming the commands, when none can be started', async () => {
    await assert.rejects(
      defaultOpenBrowser(URL_, {
        env: { BROWSER: '/nonexistent/one:/nonexistent/two' },
        platform: 'linux',
      }),
      /\/nonexistent\/one: ENOENT; \/nonexistent\/two: ENOENT/,
    );
  });

  test('only opens http(s) URLs', async () => {
    await assert.rejects(
      defaultOpenBrowser('file:///etc/passwd', { env: { BROWSER: 'x' } }),
      /http/,
    );
    await assert.rejects(defaultOpenBrowser('--help', { env: { BROWSER: 'x' } }), /http/);
  });

  test('opens a live redirect page, and no other file URL', async () => {
    const browser = await makeFakeBrowser({ follow: false });
    const page = await writeRedirectFile(SECRET_URL);
    try {
      const env = { BROWSER: browser.script };
      // A sibling of the page, a made-up path and a plain file are all still refused.
      const sibling = pathToFileURL(join(dirname(page.path), 'other.html')).href;
      for (const url of ['file:///etc/passwd', sibling, `${page.url}/..`, 'FILE:///etc/passwd']) {
        await assert.rejects(defaultOpenBrowser(url, { env }), /http/, url);
      }
      await defaultOpenBrowser(page.url, { env });
      assert.deepEqual(await eventually(browser.recordedArgv), [page.url]);
      await page.remove();
      await assert.rejects(defaultOpenBrowser(page.url, { env }), /http/);
    } finally {
      await page.remove();
      await browser.remove();
    }
  });
});

describe('handlers with BROWSER', { timeout: 30_000 }, () => {
  test('LocalServer: the BROWSER program gets the URL and can complete the login', async () => {
    const browser = await makeFakeBrowser({ follow: true });
    const env = { BROWSER: browser.script };
    const t = makeContext({ env, openBrowser: (url) => defaultOpenBrowser(url, { env }) });
    const handler = new LocalServerCodeHandler();
    try {
      await handler.start(t.ctx);
      // Stand-in for Globus: the "authorize URL" redirects nowhere, it IS the redirect.
      const authorizeUrl = `${handler.redirectUri}?code=from-browser&state=s1`;
      const response = await handler.authenticate({ authorizeUrl, state: 's1' }, t.ctx);
      assert.deepEqual(response, { code: 'from-browser' });
      // The program's argv (readable by any local user) carries a one-time link, no state.
      const argv = (await browser.recordedArgv()) ?? [];
      assert.equal(argv.length, 1);
      assert.match(argv[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/start\/[\w-]{32}$/);
      assert.match(t.stderrText(), /Opening a browser to log in to Test App/);
      assert.ok(t.stderrText().includes(authorizeUrl), 'the URL is printed even with a browser');
    } finally {
      await handler.stop();
      await browser.remove();
    }
  });

  test('LocalServer with noBrowser: nothing is launched', async () => {
    const browser = await makeFakeBrowser({ follow: true });
    const env = { BROWSER: browser.script };
    const launched: string[] = [];
    const openBrowser = (url: string) => {
      launched.push(url);
      return defaultOpenBrowser(url, { env });
    };
    const t = makeContext({ env, noBrowser: true, openBrowser });
    const handler = new LocalServerCodeHandler();
    try {
      await handler.start(t.ctx);
      const pending = handler.authenticate(
        { authorizeUrl: `${handler.redirectUri}?code=x&state=s2`, state: 's2' },
        t.ctx,
      );
      await httpRequest(`${handler.redirectUri}?code=typed&state=s2`);
      assert.deepEqual(await pending, { code: 'typed' });
      assert.deepEqual(launched, []);
      assert.equal(await browser.recordedArgv(), null);
      assert.match(t.stderrText(), /Please open this URL in a browser/);
    } finally {
      await handler.stop();
      await browser.remove();
    }
  });

  test('InputCodeHandler over SSH still opens BROWSER (remote editors forward it)', async () => {
    const browser = await makeFakeBrowser({ follow: false });
    const env = { BROWSER: browser.script, SSH_CONNECTION: '1 2 3 4' };
    const t = makeContext({ env, openBrowser: (url) => defaultOpenBrowser(url, { env }) });
    const handler = new InputCodeHandler();
    try {
      await handler.start(t.ctx);
      const pending = handler.authenticate({ authorizeUrl: SECRET_URL, state: 'St4te' }, t.ctx);
      const argv = await eventually(browser.recordedArgv);
      // The argv (readable by every local user) names only the private redirect page.
      assert.equal(argv.length, 1);
      const [fileUrl = ''] = argv;
      assert.match(fileUrl, /^file:\/\//);
      for (const secret of ['St4te', 'Ch4ll', 'authorize']) {
        assert.ok(!argv.join(' ').includes(secret), `${secret} is in the browser's argv`);
      }
      const page = await readFile(fileURLToPath(fileUrl), 'utf8');
      assert.ok(page.includes(SECRET_URL.replaceAll('&', '&amp;')));
      assert.ok(t.stderrText().includes(SECRET_URL), 'the terminal still shows the URL');
      t.stdin.write('pasted\n');
      assert.deepEqual(await pending, { code: 'pasted' });
      assert.equal(existsSync(fileURLToPath(fileUrl)), false, 'the page is gone after the attempt');
      // A removed page is an ordinary file URL again: refused.
      await assert.rejects(defaultOpenBrowser(fileUrl, { env }), /http/);
    } finally {
      await handler.stop();
      await browser.remove();
    }
  });
});
