import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readSettings, requireClientId } from '../../src/cli/settings.js';
import { UsageError } from '../../src/errors.js';

test('options win over NATIVE_LOGIN_* variables; the token file defaults to HOME', () => {
  const env = {
    HOME: '/home/ada',
    NATIVE_LOGIN_CLIENT_ID: 'from-env',
    NATIVE_LOGIN_STORAGE: '/env.cfg',
  };
  assert.deepEqual(readSettings({}, env), {
    clientId: 'from-env',
    storage: '/env.cfg',
    environment: undefined,
    authUrl: undefined,
    debug: false,
  });
  const options = readSettings(
    {
      'client-id': 'opt',
      storage: '~/t.cfg',
      environment: 'sandbox',
      'auth-url': 'http://127.0.0.1:1/',
      debug: true,
    },
    env,
  );
  assert.equal(options.clientId, 'opt');
  assert.equal(options.storage, join('/home/ada', 't.cfg'));
  assert.equal(options.environment, 'sandbox');
  assert.equal(options.authUrl, 'http://127.0.0.1:1/');
  assert.equal(
    readSettings({}, { HOME: '/home/ada' }).storage,
    '/home/ada/.globus-native-apps.cfg',
  );
  assert.equal(readSettings({ storage: 'rel.cfg' }, { HOME: '/h' }).storage, resolve('rel.cfg'));
});

test('no client id: a usage error with the way to get one', () => {
  assert.throws(
    () => requireClientId(readSettings({}, { HOME: '/h', NATIVE_LOGIN_CLIENT_ID: ' ' })),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.hint ?? '', /https:\/\/app\.globus\.org\/settings\/developers/);
      return true;
    },
  );
});

test('a client id that is not a UUID is refused before anything else happens', () => {
  const settings = (id: string) => readSettings({ 'client-id': id }, { HOME: '/h' });
  assert.throws(
    () => requireClientId(settings('my-app')),
    (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /"my-app" is not a UUID/);
      assert.match(error.hint ?? '', /settings\/developers/);
      return true;
    },
  );
  const id = '8F6B1F43-3C1E-4D0A-9D57-1F2B9F0C7A21';
  assert.equal(requireClientId(settings(` ${id}\n`)), id);
});
