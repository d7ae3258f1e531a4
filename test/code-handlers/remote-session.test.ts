import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  hasDisplay,
  isRemoteSession,
  shouldOpenBrowser,
} from '../../src/code-handlers/remote-session.js';

describe('isRemoteSession', () => {
  test('any of SSH_TTY, SSH_CONNECTION, SSH_CLIENT means remote', () => {
    assert.equal(isRemoteSession({}), false);
    assert.equal(isRemoteSession({ SSH_TTY: '' }), false);
    assert.equal(isRemoteSession({ SSH_TTY: '/dev/pts/0' }), true);
    assert.equal(isRemoteSession({ SSH_CONNECTION: '10.0.0.1 5 10.0.0.2 22' }), true);
    assert.equal(isRemoteSession({ SSH_CLIENT: '10.0.0.1 5 22' }), true);
  });
});

describe('hasDisplay', () => {
  test('macOS and Windows always have one', () => {
    assert.equal(hasDisplay({}, 'darwin'), true);
    assert.equal(hasDisplay({}, 'win32'), true);
  });
  test('Linux and BSD need DISPLAY, WAYLAND_DISPLAY or BROWSER', () => {
    for (const platform of ['linux', 'freebsd', 'openbsd']) {
      assert.equal(hasDisplay({}, platform), false);
      assert.equal(hasDisplay({ DISPLAY: ':0' }, platform), true);
      assert.equal(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, platform), true);
      assert.equal(hasDisplay({ BROWSER: 'lynx' }, platform), true);
    }
  });
});

describe('shouldOpenBrowser', () => {
  test('an opener passed in is used without a display and over SSH; noBrowser still wins', () => {
    const ssh = { SSH_CONNECTION: '10.0.0.1 5000 10.0.0.2 22' };
    assert.equal(
      shouldOpenBrowser({ noBrowser: false, env: {}, customOpener: true }, 'linux'),
      true,
    );
    assert.equal(
      shouldOpenBrowser({ noBrowser: false, env: ssh, customOpener: true }, 'linux'),
      true,
    );
    assert.equal(
      shouldOpenBrowser({ noBrowser: true, env: {}, customOpener: true }, 'linux'),
      false,
    );
    assert.equal(shouldOpenBrowser({ noBrowser: false, env: {} }, 'linux'), false);
  });

  test('noBrowser always wins', () => {
    assert.equal(shouldOpenBrowser({ noBrowser: true, env: { BROWSER: 'x' } }, 'darwin'), false);
  });
  test('a remote session opens nothing, unless BROWSER says how', () => {
    assert.equal(shouldOpenBrowser({ noBrowser: false, env: { SSH_TTY: 't' } }, 'darwin'), false);
    assert.equal(
      shouldOpenBrowser({ noBrowser: false, env: { SSH_TTY: 't', DISPLAY: ':0' } }, 'linux'),
      false,
    );
    assert.equal(
      shouldOpenBrowser({ noBrowser: false, env: { SSH_TTY: 't', BROWSER: 'code' } }, 'linux'),
      true,
    );
  });
  test('locally it follows the display', () => {
    assert.equal(shouldOpenBrowser({ noBrowser: false, env: {} }, 'linux'), false);
    assert.equal(shouldOpenBrowser({ noBrowser: false, env: { DISPLAY: ':0' } }, 'linux'), true);
    assert.equal(shouldOpenBrowser({ noBrowser: false, env: {} }, 'darwin'), true);
  });
});
