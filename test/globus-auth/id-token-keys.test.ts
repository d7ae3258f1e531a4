import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidIdToken } from '../../src/errors.js';
import type { IdTokenClaims, Jwks } from '../../src/globus-auth/id-token.js';
import { IdTokenKeys, JWKS_REFETCH_INTERVAL_SECONDS } from '../../src/globus-auth/id-token-keys.js';

const CLAIMS = { sub: 'ada' } as unknown as IdTokenClaims;

/** A key server whose current key set has the id `kid`; counts its fetches. */
function keyServer() {
  const server = { kid: 'k1', fetches: 0, fail: false };
  const fetch = async (): Promise<Jwks> => {
    server.fetches++;
    if (server.fail) throw new Error('unreachable');
    return { keys: [{ kid: server.kid }] };
  };
  return { server, fetch };
}

/** A check that accepts only tokens signed with `kid`, as verifyIdTokenWithKeys would. */
const signedWith = (kid: string) => (keys: Jwks) => {
  if (!keys.keys.some((key) => key.kid === kid)) {
    throw new InvalidIdToken('no key with that kid', { check: 'key' });
  }
  return CLAIMS;
};

test('keys are fetched once and kept', async () => {
  const { server, fetch } = keyServer();
  const keys = new IdTokenKeys(fetch, () => 1000);
  assert.equal(await keys.verify(signedWith('k1'), undefined), CLAIMS);
  assert.equal(await keys.verify(signedWith('k1'), undefined), CLAIMS);
  assert.equal(server.fetches, 1);
});

test('after a rotation, an unknown key fetches the keys again, at most once per interval', async () => {
  const { server, fetch } = keyServer();
  let now = 1000;
  const keys = new IdTokenKeys(fetch, () => now);
  await keys.verify(signedWith('k1'), undefined);
  server.kid = 'k2';
  assert.equal(await keys.verify(signedWith('k2'), undefined), CLAIMS);
  assert.equal(server.fetches, 2);
  // A token with a key nobody has: one refetch per interval, however many tokens come.
  now += JWKS_REFETCH_INTERVAL_SECONDS - 1;
  await assert.rejects(keys.verify(signedWith('k9'), undefined), InvalidIdToken);
  await assert.rejects(keys.verify(signedWith('k9'), undefined), InvalidIdToken);
  assert.equal(server.fetches, 2);
  now += 1;
  await assert.rejects(keys.verify(signedWith('k9'), undefined), InvalidIdToken);
  assert.equal(server.fetches, 3);
});

test('other failures are not a reason to fetch again; a failed fetch is not kept', async () => {
  const { server, fetch } = keyServer();
  const keys = new IdTokenKeys(fetch, () => 1000);
  const expired = () => {
    throw new InvalidIdToken('expired', { check: 'exp' });
  };
  await assert.rejects(keys.verify(expired, undefined), InvalidIdToken);
  assert.equal(server.fetches, 1);
  const other = new IdTokenKeys(fetch, () => 1000);
  server.fail = true;
  await assert.rejects(other.verify(signedWith('k1'), undefined), /unreachable/);
  server.fail = false;
  assert.equal(await other.verify(signedWith('k1'), undefined), CLAIMS);
  assert.equal(server.fetches, 3);
});
