import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { createPkcePair, createState, pkceChallenge } from '../../src/globus-auth/pkce.js';

describe('PKCE', () => {
  test('RFC 7636 Appendix B example vector', () => {
    assert.equal(
      pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'),
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  test('the verifier is 43 unreserved characters and the challenge matches it', () => {
    for (let i = 0; i < 50; i += 1) {
      const pair = createPkcePair();
      assert.match(pair.verifier, /^[A-Za-z0-9._~-]{43}$/);
      assert.match(pair.challenge, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(pair.method, 'S256');
      const expected = createHash('sha256').update(pair.verifier).digest('base64url');
      assert.equal(pair.challenge, expected);
      assert.ok(!pair.challenge.includes('='));
    }
  });

  test('every pair and every state is fresh', () => {
    const verifiers = new Set(Array.from({ length: 200 }, () => createPkcePair().verifier));
    assert.equal(verifiers.size, 200);
    const states = new Set(Array.from({ length: 200 }, () => createState()));
    assert.equal(states.size, 200);
  });

  test('the state is URL-safe and carries at least 128 bits', () => {
    const state = createState();
    assert.match(state, /^[A-Za-z0-9_-]+$/);
    assert.ok(Buffer.from(state, 'base64url').length * 8 >= 128);
    assert.equal(encodeURIComponent(state), state);
  });
});
