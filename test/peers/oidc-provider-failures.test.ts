/**
 * What oidc-provider refuses, and what the client refuses from it: a wrong PKCE verifier, a
 * replayed code, a redirect URI mismatch (through GlobusAuthClient.exchangeCode with codes
 * obtained from the real authorize endpoint), and id_tokens: RS256 and RS512 accepted, a
 * signature from another key (a second provider's JWKS served as the keys) refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthFailure, InvalidIdToken } from '../../src/errors.js';
import { GlobusAuthClient } from '../../src/globus-auth/globus-auth-client.js';
import { createPkcePair } from '../../src/globus-auth/pkce.js';
import {
  authorizeDirectly,
  generateSigningKey,
  type OidcPeer,
  PEER_ACCOUNT,
  PEER_CLIENT_ID,
  PEER_CLIENT_ID_RS256,
  startOidcProvider,
} from '../helpers/oidc-provider-server.js';
import { peerClient, userinfoStatus } from './peer-client.js';

// Nothing listens on these: authorizeDirectly stops at the redirect.
const REDIRECT = 'http://127.0.0.1:45001/';
const OTHER_REDIRECT = 'http://127.0.0.1:45002/';

let peer: OidcPeer;
before(async () => {
  peer = await startOidcProvider();
});
after(async () => {
  await peer.close();
});

/** A fresh code (and its PKCE pair) from the provider's authorize endpoint. */
async function freshCode(clientId = PEER_CLIENT_ID) {
  const pkce = createPkcePair();
  const answer = await authorizeDirectly(peer, {
    clientId,
    redirectUri: REDIRECT,
    codeChallenge: pkce.challenge,
  });
  const code = answer.get('code');
  assert.ok(code, `no code came back: ${answer}`);
  assert.equal(answer.get('iss'), peer.issuer);
  return { code, verifier: pkce.verifier };
}

function authClient(clientId = PEER_CLIENT_ID): GlobusAuthClient {
  return new GlobusAuthClient({ baseUrl: peer.url, clientId });
}

/** An AuthFailure invalid_grant that names no secret. */
function refusedCode(...secrets: string[]) {
  return (error: unknown) => {
    assert.ok(error instanceof AuthFailure, String(error));
    assert.equal(error.code, 'invalid_grant');
    for (const secret of secrets) assert.ok(!error.message.includes(secret), 'no secret shown');
    return true;
  };
}

describe('oidc-provider refuses a bad code exchange', () => {
  test('the right code with a wrong PKCE verifier', async () => {
    const { code } = await freshCode();
    const wrong = createPkcePair().verifier;
    await assert.rejects(
      authClient().exchangeCode({ code, verifier: wrong, redirectUri: REDIRECT }),
      refusedCode(code, wrong),
    );
  });

  test('a replayed code: refused, and the tokens of its first use are revoked', async () => {
    const { code, verifier } = await freshCode();
    const first = await authClient().exchangeCode({ code, verifier, redirectUri: REDIRECT });
    const group = Object.values(first.tokens)[0];
    assert.ok(group);
    assert.equal(await userinfoStatus(peer, group.access_token), 200);
    await assert.rejects(
      authClient().exchangeCode({ code, verifier, redirectUri: REDIRECT }),
      refusedCode(code, verifier),
    );
    // RFC 6749 §4.1.2: the provider revokes what the code gave when it is replayed.
    assert.equal(await userinfoStatus(peer, group.access_token), 401);
  });

  test('a redirect URI other than the one used at authorize (another loopback port)', async () => {
    const { code, verifier } = await freshCode();
    await assert.rejects(
      authClient().exchangeCode({ code, verifier, redirectUri: OTHER_REDIRECT }),
      refusedCode(code, verifier),
    );
  });
});

describe('id_token verification against the provider', () => {
  test('RS512 and RS256 id_tokens verify (the kid picks one of two published keys)', async () => {
    for (const [clientId, alg] of [
      [PEER_CLIENT_ID, 'RS512'],
      [PEER_CLIENT_ID_RS256, 'RS256'],
    ] as const) {
      const { code, verifier } = await freshCode(clientId);
      const result = await authClient(clientId).exchangeCode({
        code,
        verifier,
        redirectUri: REDIRECT,
      });
      assert.ok(result.idToken);
      const header = JSON.parse(
        Buffer.from(result.idToken.split('.')[0] ?? '', 'base64url').toString(),
      );
      assert.equal(header.alg, alg);
      assert.equal(result.identityId, PEER_ACCOUNT.sub);
      const claims = await authClient(clientId).verifyIdToken(result.idToken);
      assert.equal(claims.iss, peer.issuer);
      assert.equal(claims.aud, clientId);
    }
  });

  test('a changed byte in the payload or the signature is refused', async () => {
    const { code, verifier } = await freshCode();
    const { idToken } = await authClient().exchangeCode({ code, verifier, redirectUri: REDIRECT });
    assert.ok(idToken);
    const [header = '', payload = '', signature = ''] = idToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const otherSub = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString(
      'base64url',
    );
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    for (const forged of [
      `${header}.${otherSub}.${signature}`,
      `${header}.${payload}.${flipped}`,
    ]) {
      await assert.rejects(authClient().verifyIdToken(forged), InvalidIdToken);
    }
  });

  test('login refuses an id_token when the published keys are another provider’s', async () => {
    // Same kids, other key material: only the signature check can tell them apart.
    const impostor = await startOidcProvider({
      keys: [generateSigningKey('rs256', 'RS256'), generateSigningKey('rs512', 'RS512')],
    });
    try {
      const jwksFromImpostor: typeof fetch = (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        return url === `${peer.url}jwk.json`
          ? fetch(`${impostor.url}jwk.json`, init)
          : fetch(input, init);
      };
      const { client, storage } = peerClient(peer, { overrides: { fetch: jwksFromImpostor } });
      await assert.rejects(client.login(), (error: unknown) => {
        assert.ok(error instanceof InvalidIdToken, String(error));
        assert.match(error.message, /signature/);
        return true;
      });
      assert.deepEqual(storage.readTokens(), {}, 'nothing is stored');
      assert.ok(impostor.requests.includes('GET /jwk.json'));
    } finally {
      await impostor.close();
    }
  });
});
