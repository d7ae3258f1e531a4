import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidTokenFormat } from '../../src/errors.js';
import { validateTokenGroup, validateTokens } from '../../src/tokens/token-group.js';
import { FAR_EXPIRY } from '../helpers/clock.js';

const good = {
  scope: 'openid profile email',
  access_token: 'AT-secret-value',
  refresh_token: 'RT-secret-value',
  token_type: 'Bearer',
  expires_at_seconds: FAR_EXPIRY,
  resource_server: 'auth.globus.org',
};

function rejects(raw: unknown, code: string, field?: string): InvalidTokenFormat {
  try {
    validateTokenGroup(raw);
  } catch (error) {
    assert.ok(error instanceof InvalidTokenFormat, 'throws InvalidTokenFormat');
    assert.equal(error.code, code);
    if (field) assert.ok(error.fields.includes(field), `names ${field}`);
    assert.doesNotMatch(error.message, /secret-value/, 'never shows a token');
    return error;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe('validateTokenGroup (fair-research-login semantics)', () => {
  test('accepts a good group and normalises it', () => {
    assert.deepEqual(validateTokenGroup(good), good);
  });

  test('not an object → not_dict', () => {
    for (const raw of [null, 'x', 3, ['a']]) rejects(raw, 'not_dict');
  });

  test('unknown keys → unexpected_values, naming them', () => {
    rejects({ ...good, surprise: 'secret-value' }, 'unexpected_values', 'surprise');
  });

  test('each required field missing → missing_required', () => {
    for (const field of ['access_token', 'expires_at_seconds', 'scope', 'resource_server']) {
      const raw: Record<string, unknown> = { ...good };
      delete raw[field];
      rejects(raw, 'missing_required', field);
    }
  });

  test('non-strings → invalid_type', () => {
    rejects({ ...good, scope: 5 }, 'invalid_type', 'scope');
    rejects({ ...good, access_token: {} }, 'invalid_type', 'access_token');
    rejects({ ...good, refresh_token: 7 }, 'invalid_type', 'refresh_token');
  });

  test('a required field present but null → invalid_type, as Python (isinstance(None, str))', () => {
    for (const field of ['access_token', 'expires_at_seconds', 'scope', 'resource_server']) {
      rejects({ ...good, [field]: null }, 'invalid_type', field);
    }
  });

  test('Python accepts token_type "" and refresh_token false; so do we', () => {
    const group = validateTokenGroup({ ...good, token_type: '', refresh_token: false });
    assert.equal(group.token_type, 'Bearer');
    assert.equal(group.refresh_token, null);
  });

  test('token_type other than Bearer → invalid_token_type; absent is fine', () => {
    rejects({ ...good, token_type: 'MAC' }, 'invalid_token_type', 'token_type');
    const { token_type: _omit, ...rest } = good;
    assert.equal(validateTokenGroup(rest).token_type, 'Bearer');
  });

  test('falsy refresh_token becomes null', () => {
    for (const refresh of ['', null, undefined]) {
      assert.equal(validateTokenGroup({ ...good, refresh_token: refresh }).refresh_token, null);
    }
  });

  test('expires_at_seconds accepts 123, "123", 123.456 and rejects "abc"', () => {
    assert.equal(validateTokenGroup({ ...good, expires_at_seconds: 123 }).expires_at_seconds, 123);
    assert.equal(
      validateTokenGroup({ ...good, expires_at_seconds: '123' }).expires_at_seconds,
      123,
    );
    assert.equal(
      validateTokenGroup({ ...good, expires_at_seconds: 123.456 }).expires_at_seconds,
      123,
    );
    rejects({ ...good, expires_at_seconds: 'abc' }, 'invalid_type', 'expires_at_seconds');
    // Python's int() of a string: no decimals, but underscores between digits.
    rejects({ ...good, expires_at_seconds: '1750000099.5' }, 'invalid_type', 'expires_at_seconds');
    assert.equal(
      validateTokenGroup({ ...good, expires_at_seconds: '1_750_000_099' }).expires_at_seconds,
      1_750_000_099,
    );
    assert.equal(
      validateTokenGroup({ ...good, expires_at_seconds: ' 12 ' }).expires_at_seconds,
      12,
    );
    rejects({ ...good, expires_at_seconds: '' }, 'invalid_type', 'expires_at_seconds');
  });

  test('identity_id is kept', () => {
    assert.equal(validateTokenGroup({ ...good, identity_id: 'abc' }).identity_id, 'abc');
  });

  test('validateTokens keys groups by their own resource_server', () => {
    const out = validateTokens({ wrong_key: good });
    assert.deepEqual(Object.keys(out), ['auth.globus.org']);
    assert.throws(() => validateTokens([good]), InvalidTokenFormat);
  });
});
