import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthFailure, AuthServerError, NetworkError, TokensExpired } from '../../src/errors.js';
import {
  codeExchangeFailure,
  isInvalidGrant,
  parseTokenBody,
  refreshFailure,
  renewedGroup,
} from '../../src/globus-auth/token-grants.js';
import type { TokenGroup } from '../../src/tokens/token-group.js';

const ENDPOINT = 'https://auth.globus.org/v2/oauth2/token';
const serverError = (status: number, error?: string) =>
  new AuthServerError('x', { status, endpoint: ENDPOINT, ...(error ? { error } : {}) });
const OLD: TokenGroup = {
  scope: 'urn:globus:auth:scope:transfer.api.globus.org:all',
  access_token: 'old-at',
  refresh_token: 'old-rt',
  token_type: 'Bearer',
  expires_at_seconds: 100,
  resource_server: 'transfer.api.globus.org',
  identity_id: 'id-1',
};

describe('what a token error means', () => {
  test('only 400/401 invalid_grant means log in again', () => {
    assert.equal(isInvalidGrant(serverError(400, 'invalid_grant')), true);
    assert.equal(isInvalidGrant(serverError(401, 'invalid_grant')), true);
    assert.equal(isInvalidGrant(serverError(403, 'invalid_grant')), false);
    assert.equal(isInvalidGrant(serverError(400, 'invalid_client')), false);
    assert.equal(isInvalidGrant(new NetworkError('x', { url: ENDPOINT })), false);
  });

  test('a refused code is AuthFailure invalid_grant; a refused refresh is TokensExpired', () => {
    const cause = serverError(401, 'invalid_grant');
    const code = codeExchangeFailure(cause);
    assert.ok(code instanceof AuthFailure);
    assert.equal(code.code, 'invalid_grant');
    assert.equal(code.cause, cause);
    const refresh = refreshFailure('transfer.api.globus.org', cause);
    assert.ok(refresh instanceof TokensExpired);
    assert.deepEqual(refresh.resourceServers, ['transfer.api.globus.org']);
    assert.equal(refresh.cause, cause);
    const other = serverError(500);
    assert.equal(codeExchangeFailure(other), other);
    assert.equal(refreshFailure('rs', other), other);
  });
});

describe('parseTokenBody', () => {
  test('a bad shape is malformed_response with the InvalidTokenFormat as cause', () => {
    assert.throws(
      () =>
        parseTokenBody({ access_token: 'secret-at' }, 0, 'x', { status: 200, endpoint: ENDPOINT }),
      (error: unknown) => {
        assert.ok(error instanceof AuthServerError);
        assert.equal(error.code, 'malformed_response');
        assert.equal(error.status, 200);
        assert.match(error.message, /expires_in/);
        assert.ok(!error.message.includes('secret-at'));
        assert.equal((error.cause as Error).name, 'InvalidTokenFormat');
        return true;
      },
    );
  });
});

describe('renewedGroup', () => {
  const fresh = (extra: Partial<TokenGroup> = {}): Record<string, TokenGroup> => {
    const group: TokenGroup = {
      ...OLD,
      access_token: 'new-at',
      refresh_token: null,
      expires_at_seconds: 500,
      ...extra,
    };
    delete group.identity_id;
    return { [group.resource_server]: group };
  };

  test('keeps the old refresh token when none comes back, and the identity', () => {
    assert.deepEqual(renewedGroup(OLD, fresh()), {
      ...OLD,
      access_token: 'new-at',
      expires_at_seconds: 500,
    });
  });

  test('adopts a new refresh token', () => {
    assert.equal(renewedGroup(OLD, fresh({ refresh_token: 'new-rt' })).refresh_token, 'new-rt');
  });

  test('keys an answer for another or no resource server to the old group', () => {
    const renewed = renewedGroup(OLD, fresh({ resource_server: 'auth.globus.org', scope: '' }));
    assert.equal(renewed.resource_server, 'transfer.api.globus.org');
    assert.equal(renewed.scope, OLD.scope);
    assert.equal(renewed.access_token, 'new-at');
  });
});
