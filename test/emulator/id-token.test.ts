import { strict as assert } from 'node:assert';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { CLIENT_ID, login } from './emulator-test-helpers.js';

interface Fixture {
  openid_configuration: Record<string, unknown>;
  jwk: { keys: Array<Record<string, string>> };
  token_response: { id_token: string };
}
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/globus-real-id-token.json', import.meta.url), 'utf8'),
) as Fixture;
const realClaims = JSON.parse(
  Buffer.from(fixture.token_response.id_token.split('.')[1] ?? '', 'base64url').toString(),
) as Record<string, unknown> & { identity_set: Array<Record<string, unknown>> };

let emulator: Emulator;
before(async () => {
  emulator = await startEmulator();
});
after(() => emulator.close());

describe('discovery and keys', () => {
  test("the OpenID configuration is Globus's, pointing at the emulator", async () => {
    const response = await fetch(`${emulator.url}.well-known/openid-configuration`);
    const config = (await response.json()) as Record<string, unknown>;
    const base = emulator.url;
    assert.equal(config['issuer'], base.slice(0, -1));
    assert.equal(emulator.issuer, base.slice(0, -1));
    assert.deepEqual(Object.keys(config), Object.keys(fixture.openid_configuration));
    const expected = Object.fromEntries(
      Object.entries(fixture.openid_configuration).map(([key, value]) => [
        key,
        typeof value === 'string' ? value.replace('https://auth.globus.org/', base) : value,
      ]),
    );
    assert.deepEqual(config, { ...expected, issuer: base.slice(0, -1) });
  });

  test("/jwk.json has one RS512 signing key without kid, like Globus's", async () => {
    const jwks = (await (await fetch(`${emulator.url}jwk.json`)).json()) as Fixture['jwk'];
    assert.equal(jwks.keys.length, 1);
    const [key] = jwks.keys;
    assert.deepEqual(Object.keys(key ?? {}).sort(), Object.keys(fixture.jwk.keys[0] ?? {}).sort());
    assert.equal(key?.['alg'], 'RS512');
    assert.equal(key?.['use'], 'sig');
    assert.equal(key?.['kty'], 'RSA');
    assert.ok(!('kid' in (key ?? {})));
    assert.deepEqual(emulator.publicJwk(), key);
  });
});

describe('id_token', () => {
  test('verifies with jose against /jwk.json (RS512, issuer, audience)', async () => {
    const { tokens } = await login(emulator, { scope: 'openid profile email' });
    const idToken = tokens.id_token ?? '';
    assert.deepEqual(JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString()), {
      typ: 'JWT',
      alg: 'RS512',
    });
    assert.equal(decodeProtectedHeader(idToken).kid, undefined);
    const jwks = createRemoteJWKSet(new URL('jwk.json', emulator.url));
    const { payload } = await jwtVerify(idToken, jwks, {
      algorithms: ['RS512'],
      issuer: emulator.issuer,
      audience: CLIENT_ID,
    });
    await assert.rejects(
      jwtVerify(idToken, jwks, { algorithms: ['RS512'], audience: 'someone-else' }),
    );
    await assert.rejects(jwtVerify(idToken, jwks, { algorithms: ['RS256'] }));
    const tampered = `${idToken.slice(0, -4)}${idToken.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await assert.rejects(jwtVerify(tampered, jwks, { algorithms: ['RS512'] }));
    assert.equal(payload.sub, emulator.identity.sub);
  });

  test("has exactly the claims of Globus's real id_token, with the right values", async () => {
    const { tokens } = await login(emulator, { scope: 'openid profile email' });
    const claims = JSON.parse(
      Buffer.from((tokens.id_token ?? '').split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown> & { identity_set: Array<Record<string, unknown>> };
    assert.deepEqual(Object.keys(claims), Object.keys(realClaims));
    assert.deepEqual(
      Object.keys(claims.identity_set[0] ?? {}),
      Object.keys(realClaims.identity_set[0] ?? {}),
    );
    const who = emulator.identity;
    assert.equal(claims['iss'], emulator.issuer);
    assert.equal(claims['aud'], CLIENT_ID);
    assert.equal(claims['exp'], (claims['iat'] as number) + 172800);
    for (const key of Object.keys(who) as (keyof typeof who)[]) assert.equal(claims[key], who[key]);
    assert.equal(claims.identity_set[0]?.['username'], who.preferred_username);
    const digest = createHash('sha512').update(tokens.access_token).digest();
    assert.equal(claims['at_hash'], digest.subarray(0, 32).toString('base64url'));
  });

  test('carries the nonce when one was sent, and follows the clock offset', async () => {
    emulator.setClockOffset(-1000);
    try {
      const { tokens } = await login(emulator, { scope: 'openid', nonce: 'n-0S6_WzA2Mj' });
      const claims = JSON.parse(
        Buffer.from((tokens.id_token ?? '').split('.')[1] ?? '', 'base64url').toString(),
      ) as Record<string, number | string>;
      assert.equal(claims['nonce'], 'n-0S6_WzA2Mj');
      const now = Math.floor(Date.now() / 1000);
      assert.ok(Math.abs((claims['iat'] as number) - (now - 1000)) <= 5);
    } finally {
      emulator.setClockOffset(0);
    }
  });

  test('signs with a key given as an option (PEM)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const mine = await startEmulator({ privateKey: pem, now: () => 1621481011 });
    try {
      const expected = createPublicKey(privateKey).export({ format: 'jwk' });
      assert.equal(mine.publicJwk().n, expected.n);
      const { tokens } = await login(mine, { scope: 'openid' });
      const key = await importJWK(mine.publicJwk(), 'RS512');
      const { payload } = await jwtVerify(tokens.id_token ?? '', key, {
        algorithms: ['RS512'],
        issuer: mine.issuer,
        audience: CLIENT_ID,
        currentDate: new Date(1621481011 * 1000),
      });
      assert.equal(payload.iat, 1621481011);
      assert.equal(payload.exp, 1621481011 + 172800);
    } finally {
      await mine.close();
    }
    const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await assert.rejects(startEmulator({ privateKey: ec }), TypeError);
  });
});
