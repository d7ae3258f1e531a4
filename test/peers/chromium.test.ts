/**
 * A real browser (Debian's headless Chromium) on the emulator's real consent page: the
 * library opens the URL, a click on Allow or Decline lands on our loopback server, and the
 * landing page says what happened with every outside value escaped. Also one run where the
 * library's default opener starts `$BROWSER`, which hands the URL to this Chromium.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DECLINED_DESCRIPTION } from '../../src/emulator/index.js';
import { LocalServerError } from '../../src/errors.js';
import {
  artifactPath,
  chromiumSkipReason,
  launchChromium,
  startUrlRelay,
  writeBrowserScript,
} from '../helpers/chromium.js';
import { type ClientSetup, setupClient } from '../helpers/client-setup.js';
import { authorizeUrlOf } from '../helpers/start-link.js';

const AUTH = 'auth.globus.org';
const UI_TIMEOUT_MS = 15_000;

let browser: Browser | undefined;
let context: BrowserContext | undefined;
let setup: ClientSetup | undefined;
/** Aborted after each test, so a login left waiting on a failed path ends at once. */
let stop = new AbortController();
const cleanups: (() => Promise<void>)[] = [];

/** A fresh browser context (its own cookies) and page for one test. */
async function newPage(): Promise<Page> {
  assert.ok(browser, 'chromium did not start');
  context = await browser.newContext();
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  return context.newPage();
}

/** A client on a private emulator showing its real consent page, opening URLs in `page`. */
async function clientOpeningIn(page: Page): Promise<ClientSetup> {
  setup = await setupClient({
    emulator: { autoApprove: false },
    client: {
      openBrowser: async (url: string) => {
        await page.goto(url);
      },
    },
  });
  return setup;
}

describe('a real browser (headless Chromium)', { skip: chromiumSkipReason() }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    stop.abort();
    stop = new AbortController();
    await context?.close();
    context = undefined;
    await setup?.cleanup();
    setup = undefined;
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  after(async () => {
    await browser?.close();
  });

  test('Allow on the consent page → our landing page says so, tokens are stored', async () => {
    const page = await newPage();
    const s = await clientOpeningIn(page);
    const login = s.client.login({ refreshTokens: true, signal: stop.signal });
    await page.locator('#allow').click();
    const tokens = await login;
    assert.ok(tokens[AUTH]?.refresh_token);
    assert.ok(new URL(page.url()).port !== new URL(s.emulator.url).port, 'on the local server');
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Login successful');
    assert.match((await page.locator('body').textContent()) ?? '', /Test App/);
    await page.screenshot({ path: await artifactPath('chromium-login-allowed.png') });
    const stored = await s.makeClient().loadTokens();
    assert.equal(stored[AUTH]?.access_token, tokens[AUTH]?.access_token);
  });

  test('Decline → the failure page shows the reason as text', async () => {
    const page = await newPage();
    const s = await clientOpeningIn(page);
    const login = s.client.login({ signal: stop.signal });
    const failed = assert.rejects(login, (error: unknown) => {
      assert.ok(error instanceof LocalServerError, String(error));
      assert.equal(error.error, 'access_denied');
      return true;
    });
    await page.locator('#decline').click();
    await failed;
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Login failed');
    const detail = (await page.locator('.detail').textContent()) ?? '';
    assert.ok(detail.includes(DECLINED_DESCRIPTION), detail);
    assert.ok(detail.includes('access_denied'), detail);
    await page.screenshot({ path: await artifactPath('chromium-login-declined.png') });
  });

  test('markup in error and error_description is shown literally and never runs', async () => {
    const page = await newPage();
    let authorizeUrl = '';
    setup = await setupClient({
      client: {
        openBrowser: async (link: string) => {
          authorizeUrl = await authorizeUrlOf(link);
        },
      },
    });
    const login = setup.client.login({ signal: stop.signal });
    const description = '<script>window.__pwned = "script"</script>closed';
    const error = '<img src=x onerror="window.__pwned = \'img\'">';
    const failed = assert.rejects(login, (thrown: unknown) => {
      assert.ok(thrown instanceof LocalServerError, String(thrown));
      assert.equal(thrown.error, error);
      assert.equal(thrown.errorDescription, description);
      return true;
    });
    while (authorizeUrl === '') await new Promise((done) => setTimeout(done, 10));
    // Play the authorization server: back to our redirect URI with the right state.
    const asked = new URL(authorizeUrl).searchParams;
    const landing = new URL(asked.get('redirect_uri') ?? '');
    landing.search = new URLSearchParams({
      state: asked.get('state') ?? '',
      error,
      error_description: description,
    }).toString();
    await page.goto(landing.href);
    await failed;
    const detail = (await page.locator('.detail').textContent()) ?? '';
    assert.ok(detail.includes(description), detail);
    assert.ok(detail.includes(error), detail);
    assert.equal(await page.evaluate('typeof window.__pwned'), 'undefined');
    assert.equal(await page.locator('script, img, body [onerror]').count(), 0);
    await page.screenshot({ path: await artifactPath('chromium-landing-escaped.png') });
  });

  test('the default opener runs $BROWSER, which hands the URL to Chromium', async () => {
    const page = await newPage();
    const relay = await startUrlRelay((url) => page.goto(url));
    cleanups.push(relay.close);
    const dir = await mkdtemp(join(tmpdir(), 'native-login-browser-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const script = await writeBrowserScript(dir, relay.port);
    setup = await setupClient({
      emulator: { autoApprove: false },
      // No openBrowser: the library's own opener reads BROWSER from this env.
      client: { openBrowser: undefined, env: { BROWSER: script, DISPLAY: ':0' } },
    });
    const login = setup.client.login({ signal: stop.signal });
    login.catch(() => undefined); // awaited below, unless the relay never hears from BROWSER
    const heard = await relay.heard(10_000);
    assert.ok(
      heard,
      'BROWSER was never run: the default opener ignored NativeClient({ env }) (it read process.env)',
    );
    await page.locator('#allow').click();
    const tokens = await login;
    assert.ok(tokens[AUTH]?.access_token);
    assert.equal(relay.urls.length, 1);
    // $BROWSER's argv holds the one-time /start/ link, never the authorize URL's secrets.
    assert.match(relay.urls[0] ?? '', /^http:\/\/127\.0\.0\.1:\d+\/start\/[\w-]{32}$/);
    assert.equal((await page.locator('h1').textContent())?.trim(), 'Login successful');
  });
});
