import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/errors.js';
import {
  AUTH_ENVIRONMENTS,
  normalizeBaseUrl,
  resolveAuthBaseUrl,
} from '../../src/globus-auth/environments.js';

describe('resolveAuthBaseUrl', () => {
  test('defaults to production with an empty environment', () => {
    assert.equal(resolveAuthBaseUrl({ env: {} }), 'https://auth.globus.org/');
  });

  test('knows every environment of the table', () => {
    assert.deepEqual(AUTH_ENVIRONMENTS, {
      production: 'https://auth.globus.org/',
      preview: 'https://auth.preview.globus.org/',
      sandbox: 'https://auth.sandbox.globuscs.info/',
      integration: 'https://auth.integration.globuscs.info/',
      test: 'https://auth.test.globuscs.info/',
      staging: 'https://auth.staging.globuscs.info/',
    });
    for (const [name, url] of Object.entries(AUTH_ENVIRONMENTS)) {
      assert.equal(resolveAuthBaseUrl({ environment: name, env: {} }), url);
      assert.equal(resolveAuthBaseUrl({ env: { GLOBUS_SDK_ENVIRONMENT: name } }), url);
    }
  });

  test('precedence: option URL, URL variable, environment option, environment variable', () => {
    const env = {
      GLOBUS_SDK_SERVICE_URL_AUTH: 'http://127.0.0.1:9000/',
      GLOBUS_SDK_ENVIRONMENT: 'sandbox',
    };
    assert.equal(
      resolveAuthBaseUrl({ authBaseUrl: 'http://localhost:1234', environment: 'preview', env }),
      'http://localhost:1234/',
    );
    assert.equal(resolveAuthBaseUrl({ environment: 'preview', env }), 'http://127.0.0.1:9000/');
    assert.equal(
      resolveAuthBaseUrl({ environment: 'preview', env: { GLOBUS_SDK_ENVIRONMENT: 'sandbox' } }),
      'https://auth.preview.globus.org/',
    );
    assert.equal(
      resolveAuthBaseUrl({ env: { GLOBUS_SDK_ENVIRONMENT: 'sandbox' } }),
      'https://auth.sandbox.globuscs.info/',
    );
  });

  test('empty values count as unset', () => {
    assert.equal(
      resolveAuthBaseUrl({
        authBaseUrl: '',
        environment: ' ',
        env: { GLOBUS_SDK_SERVICE_URL_AUTH: '', GLOBUS_SDK_ENVIRONMENT: '' },
      }),
      'https://auth.globus.org/',
    );
  });

  test('reads process.env at call time when no env is given', () => {
    const saved = process.env['GLOBUS_SDK_SERVICE_URL_AUTH'];
    try {
      process.env['GLOBUS_SDK_SERVICE_URL_AUTH'] = 'http://127.0.0.1:4321';
      assert.equal(resolveAuthBaseUrl(), 'http://127.0.0.1:4321/');
    } finally {
      if (saved === undefined) delete process.env['GLOBUS_SDK_SERVICE_URL_AUTH'];
      else process.env['GLOBUS_SDK_SERVICE_URL_AUTH'] = saved;
    }
  });

  test('an unknown environment is a UsageError listing the valid names', () => {
    for (const options of [
      { environment: 'prod', env: {} },
      { env: { GLOBUS_SDK_ENVIRONMENT: 'prod' } },
    ]) {
      assert.throws(
        () => resolveAuthBaseUrl(options),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(error.code, 'usage_error');
          assert.match(error.message, /"prod"/);
          for (const name of Object.keys(AUTH_ENVIRONMENTS)) {
            assert.ok(error.message.includes(name), name);
          }
          return true;
        },
      );
    }
  });

  test('a non-http URL is a UsageError', () => {
    for (const bad of [
      'ftp://auth.example.org/',
      'file:///etc/passwd',
      'not a url',
      'auth.globus.org',
    ]) {
      assert.throws(() => resolveAuthBaseUrl({ authBaseUrl: bad, env: {} }), UsageError, bad);
      assert.throws(
        () => resolveAuthBaseUrl({ env: { GLOBUS_SDK_SERVICE_URL_AUTH: bad } }),
        /GLOBUS_SDK_SERVICE_URL_AUTH/,
      );
    }
  });
});

describe('normalizeBaseUrl', () => {
  test('adds exactly one trailing slash and keeps a path prefix', () => {
    assert.equal(normalizeBaseUrl('https://auth.globus.org'), 'https://auth.globus.org/');
    assert.equal(normalizeBaseUrl('https://auth.globus.org/'), 'https://auth.globus.org/');
    assert.equal(normalizeBaseUrl('http://127.0.0.1:8080/auth'), 'http://127.0.0.1:8080/auth/');
  });

  test('refuses credentials, query strings and fragments', () => {
    assert.throws(() => normalizeBaseUrl('https://user:pw@auth.globus.org/'), UsageError);
    assert.throws(() => normalizeBaseUrl('https://auth.globus.org/?x=1'), UsageError);
    assert.throws(() => normalizeBaseUrl('https://auth.globus.org/#x'), UsageError);
  });
});
