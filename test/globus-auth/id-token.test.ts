import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { InvalidIdToken } from '../../src/errors.js';
import { type Jwks, verifyIdTokenWithKeys } from '../../src/globus-auth/id-token.js';

type Fixture = {
  client_id: string;
  issued_at: number;
  expires_at: number;
  jwk: Jwks;
  openid_configuration: { issuer: string };
  token_response: { id_token: string };
};
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/globus-real-id-token.json', import.meta.url), 'utf8'),
) as Fixture;
const TOKEN = fixture.token_response.id_token;
const ISSUER = 'https://auth.globus.org';
const MIDDLE = (fixture.issued_at + fixture.expires_at) / 2;

function checks(now: number, overrides: { audience?: string; issuer?: string } = {}) {
  return { issuer: ISSUER, audience: fixture.client_id, now, leewaySeconds: 300, ...overrides };
}

/** Asserts an InvalidIdToken naming `check`, whose message holds no part of the token. */
function assertRejected(token: string, jwks: Jwks, now: number, check: string, extra = {}): void {
  assert.throws(
    () => verifyIdTokenWithKeys(token, jwks, { ...checks(now), ...extra }),
    (error: unknown) => {
      assert.ok(error instanceof InvalidIdToken, String(error));
      assert.equal(error.code, 'invalid_id_token');
      assert.match(error.message, new RegExp(`the ${check} check`));
      for (const part of token.split('.')) {
        if (part.length > 8) assert.ok(!error.message.includes(part), 'token part in message');
      }
      return true;
    },
  );
}

/** What jose (an independent implementation) says about the same token and clock. */
async function joseAccepts(token: string, jwks: Jwks, now: number, audience = fixture.client_id) {
  try {
    await jwtVerify(token, createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]), {
      issuer: ISSUER,
      audience,
      currentDate: new Date(now * 1000),
      clockTolerance: 300,
      algorithms: ['RS256', 'RS384', 'RS512'],
    });
    return true;
  } catch {
    return false;
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const [HEADER, PAYLOAD, SIGNATURE] = TOKEN.split('.') as [string, string, string];
const CLAIMS = JSON.parse(Buffer.from(PAYLOAD, 'base64url').toString('utf8')) as Record<
  string,
  unknown
>;

function signRsa(header: object, claims: object, key: KeyObject, hash = 'sha512'): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`;
}

function flipByte(segment: string, index: number): string {
  const bytes = Buffer.from(segment, 'base64url');
  bytes[index] = (bytes[index] as number) ^ 0x01;
  return bytes.toString('base64url');
}

describe('verifyIdTokenWithKeys with the real Globus id_token', () => {
  test('accepts it between issued_at and expires_at for its client id', async () => {
    for (const now of [fixture.issued_at, MIDDLE, fixture.expires_at - 1]) {
      const claims = verifyIdTokenWithKeys(TOKEN, fixture.jwk, checks(now));
      assert.equal(claims.sub, 'c8aad43e-d274-11e5-bf98-8b02896cf782');
      assert.equal(claims.aud, fixture.client_id);
      assert.equal(claims.iss, fixture.openid_configuration.issuer);
      assert.equal(claims.exp, fixture.expires_at);
    }
    assert.equal(await joseAccepts(TOKEN, fixture.jwk, MIDDLE), true);
  });

  test('allows 300 s of clock skew on both ends, and no more', async () => {
    const { issued_at: iat, expires_at: exp } = fixture;
    assert.ok(verifyIdTokenWithKeys(TOKEN, fixture.jwk, checks(exp + 299)));
    assertRejected(TOKEN, fixture.jwk, exp + 300, 'expiry');
    assertRejected(TOKEN, fixture.jwk, exp + 301, 'expiry');
    assertRejected(TOKEN, fixture.jwk, exp + 86_400, 'expiry');
    assert.equal(await joseAccepts(TOKEN, fixture.jwk, exp + 299), true);
    assert.equal(await joseAccepts(TOKEN, fixture.jwk, exp + 300), false);
    assert.ok(verifyIdTokenWithKeys(TOKEN, fixture.jwk, checks(iat - 299)));
    assertRejected(TOKEN, fixture.jwk, iat - 301, 'issued-at');
  });

  test('rejects it when any one byte of the payload changes', async () => {
    const length = Buffer.from(PAYLOAD, 'base64url').length;
    for (const index of [0, 10, Math.floor(length / 2), length - 2, length - 1]) {
      const forged = `${HEADER}.${flipByte(PAYLOAD, index)}.${SIGNATURE}`;
      assertRejected(forged, fixture.jwk, MIDDLE, 'signature');
      assert.equal(await joseAccepts(forged, fixture.jwk, MIDDLE), false);
    }
    // A payload that still parses and only changes who the user is.
    const otherSub = { ...CLAIMS, sub: 'b6e227e8-db52-11e5-b6ff-c3b1cc259e0d' };
    assertRejected(`${HEADER}.${b64(otherSub)}.${SIGNATURE}`, fixture.jwk, MIDDLE, 'signature');
  });

  test('rejects it when any one byte of the signature changes', async () => {
    const length = Buffer.from(SIGNATURE, 'base64url').length;
    for (const index of [0, 1, Math.floor(length / 2), length - 1]) {
      const forged = `${HEADER}.${PAYLOAD}.${flipByte(SIGNATURE, index)}`;
      assertRejected(forged, fixture.jwk, MIDDLE, 'signature');
      assert.equal(await joseAccepts(forged, fixture.jwk, MIDDLE), false);
    }
  });

  test('rejects another audience or issuer', async () => {
    assertRejected(TOKEN, fixture.jwk, MIDDLE, 'audience', { audience: 'another-client' });
    assert.equal(await joseAccepts(TOKEN, fixture.jwk, MIDDLE, 'another-client'), false);
    assertRejected(TOKEN, fixture.jwk, MIDDLE, 'issuer', { issuer: 'https://auth.globus.org/' });
    assertRejected(TOKEN, fixture.jwk, MIDDLE, 'issuer', { issuer: 'http://127.0.0.1:1' });
  });

  test('rejects alg none and HMAC forgeries made with the public key', () => {
    const none = b64({ typ: 'JWT', alg: 'none' });
    assertRejected(`${none}.${PAYLOAD}.`, fixture.jwk, MIDDLE, 'format');
    assertRejected(`${none}.${PAYLOAD}.${SIGNATURE}`, fixture.jwk, MIDDLE, 'algorithm');
    const key = fixture.jwk.keys[0];
    for (const alg of ['HS512', 'HS256']) {
      const header = b64({ typ: 'JWT', alg });
      for (const secret of [JSON.stringify(key), String(key?.n)]) {
        const hash = alg === 'HS512' ? 'sha512' : 'sha256';
        const mac = createHmac(hash, secret).update(`${header}.${PAYLOAD}`).digest('base64url');
        assertRejected(`${header}.${PAYLOAD}.${mac}`, fixture.jwk, MIDDLE, 'algorithm');
      }
    }
  });

  test('rejects a token signed by another key, and malformed input', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signRsa({ typ: 'JWT', alg: 'RS512' }, CLAIMS, privateKey);
    assertRejected(forged, fixture.jwk, MIDDLE, 'signature');
    for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', `${HEADER}.${PAYLOAD}.sig nature`]) {
      assertRejected(bad, fixture.jwk, MIDDLE, 'format');
    }
    assertRejected(TOKEN, { keys: [] }, MIDDLE, 'key');
  });
});

describe('verifyIdTokenWithKeys with generated keys', () => {
  const first = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const second = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwkOf = (pair: typeof first, extra: object) => ({
    ...pair.publicKey.export({ format: 'jwk' }),
    ...extra,
  });
  const now = 1_700_000_000;
  const claims: Record<string, unknown> = { ...CLAIMS, iat: now, exp: now + 172_800 };

  test('accepts RS256 and RS384 too, keeping to the header alg', () => {
    const jwks = { keys: [jwkOf(first, {})] };
    for (const [alg, hash] of [
      ['RS256', 'sha256'],
      ['RS384', 'sha384'],
      ['RS512', 'sha512'],
    ]) {
      const token = signRsa({ alg }, claims, first.privateKey, hash);
      assert.equal(verifyIdTokenWithKeys(token, jwks, checks(now)).sub, CLAIMS['sub']);
    }
    // Header says RS256 but the signature was made with SHA-512: no match.
    const mixed = signRsa({ alg: 'RS256' }, claims, first.privateKey, 'sha512');
    assertRejected(mixed, jwks, now, 'signature');
  });

  test('a key pinned to RS512 does not verify an RS256 token', () => {
    const token = signRsa({ alg: 'RS256' }, claims, first.privateKey, 'sha256');
    assertRejected(token, { keys: [jwkOf(first, { alg: 'RS512' })] }, now, 'key');
  });

  test('picks the key by kid, and tries each key when there is no kid', () => {
    const jwks = { keys: [jwkOf(first, { kid: 'one' }), jwkOf(second, { kid: 'two' })] };
    const token = signRsa({ alg: 'RS512', kid: 'two' }, claims, second.privateKey);
    assert.ok(verifyIdTokenWithKeys(token, jwks, checks(now)));
    assertRejected(
      signRsa({ alg: 'RS512', kid: 'one' }, claims, second.privateKey),
      jwks,
      now,
      'signature',
    );
    assertRejected(
      signRsa({ alg: 'RS512', kid: 'three' }, claims, second.privateKey),
      jwks,
      now,
      'key',
    );
    assert.ok(
      verifyIdTokenWithKeys(
        signRsa({ alg: 'RS512' }, claims, second.privateKey),
        jwks,
        checks(now),
      ),
    );
  });

  test('checks aud arrays, azp, nbf and the presence of sub, exp and iat', () => {
    const jwks = { keys: [jwkOf(first, {})] };
    const make = (extra: object) =>
      signRsa({ alg: 'RS512' }, { ...claims, ...extra }, first.privateKey);
    assert.ok(verifyIdTokenWithKeys(make({ aud: ['x', fixture.client_id] }), jwks, checks(now)));
    assertRejected(make({ aud: ['x', 'y'] }), jwks, now, 'audience');
    assertRejected(make({ aud: ['x', fixture.client_id], azp: 'x' }), jwks, now, 'audience');
    assertRejected(make({ nbf: now + 301 }), jwks, now, 'not-before');
    assert.ok(verifyIdTokenWithKeys(make({ nbf: now + 299 }), jwks, checks(now)));
    assertRejected(make({ sub: '' }), jwks, now, 'subject');
    assertRejected(make({ exp: undefined }), jwks, now, 'claims');
    assertRejected(make({ iat: '1700000000' }), jwks, now, 'claims');
    assertRejected(make({ crit: undefined }), jwks, now + 10 ** 6, 'expiry');
    const crit = signRsa({ alg: 'RS512', crit: ['exp'] }, claims, first.privateKey);
    assertRejected(crit, jwks, now, 'algorithm');
  });
});
