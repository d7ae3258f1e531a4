import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { isUuid, readSettings, requireClientId } from '../../src/cli/settings.js';
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
    iniFile: '/env.cfg',
    appName: undefined,
    env,
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

test('storage names stay names: keyring and auto (option or NATIVE_LOGIN_STORAGE)', () => {
  assert.equal(readSettings({ storage: 'keyring' }, { HOME: '/h' }).storage, 'keyring');
  assert.equal(readSettings({}, { HOME: '/h', NATIVE_LOGIN_STORAGE: 'auto' }).storage, 'auto');
  assert.equal(readSettings({ storage: './keyring' }, { HOME: '/h' }).storage, resolve('keyring'));
});

test('--storage globus-app is a name, not a path; --app-name or NATIVE_LOGIN_APP_NAME', () => {
  const env = { HOME: '/home/ada', NATIVE_LOGIN_APP_NAME: 'From Env' };
  const named = readSettings({ storage: 'globus-app' }, env);
  assert.equal(named.storage, 'globus-app');
  assert.equal(named.iniFile, '/home/ada/.globus-native-apps.cfg');
  assert.equal(named.appName, 'From Env');
  assert.equal(readSettings({ 'app-name': 'Opt' }, env).appName, 'Opt');
  assert.equal(
    readSettings({}, { HOME: '/h', NATIVE_LOGIN_STORAGE: 'globus-app' }).storage,
    'globus-app',
  );
  assert.equal(readSettings({ storage: './globus-app' }, env).storage, resolve('globus-app'));
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

test('isUuid accepts exactly the 8-4-4-4-12 hex shape, in any case', () => {
  const expression = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const id = '8f6b1f43-3c1e-4d0a-9d57-1f2b9f0c7a21';
  const candidates = [id, id.toUpperCase(), '', `${id}0`, id.slice(1), id.replaceAll('-', '_')];
  // Every character of the id replaced by each of these in turn.
  for (const char of ['0', '9', 'a', 'f', 'A', 'F', 'g', 'G', '-', '@', '`', '/', ':', '[', ' ']) {
    for (let i = 0; i < id.length; i++) candidates.push(id.slice(0, i) + char + id.slice(i + 1));
  }
  for (const candidate of candidates) {
    assert.equal(isUuid(candidate), expression.test(candidate), candidate);
  }
});
