import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRequirements, requirementsInWords } from '../../src/gare/gare-words.js';
import { type Consent, consentsCover, readConsents } from '../../src/globus-auth/consents.js';

test('every requirement has words; none means "a new login"', () => {
  assert.deepEqual(
    describeRequirements({
      required_scopes: ['s1', 's2'],
      session_required_identities: ['id-1', 'id-2'],
      session_required_single_domain: ['uchicago.edu'],
      session_required_policies: ['p-1'],
      session_required_mfa: true,
      prompt: 'login',
    }),
    [
      'consent to s1, s2',
      'a login with the identity id-1 or id-2',
      'a login with an identity from uchicago.edu',
      'a login meeting the policy p-1',
      'multi-factor authentication (MFA)',
      'a fresh login',
    ],
  );
  assert.equal(requirementsInWords({}), 'a new login');
  assert.equal(requirementsInWords({ session_required_mfa: false }), 'a new login');
  assert.equal(
    requirementsInWords({ session_required_mfa: true, prompt: 'login' }),
    'multi-factor authentication (MFA) and a fresh login',
  );
});

const CLIENT = 'client-1';
const T = 'urn:globus:auth:scope:transfer.api.globus.org:all';
const A = 'https://auth.globus.org/scopes/aaaa/data_access';
const B = 'https://auth.globus.org/scopes/bbbb/data_access';
const C = 'https://auth.globus.org/scopes/cccc/all';

function consent(id: number, path: number[], scope: string, client = CLIENT): Consent {
  return { id, dependency_path: path, scope_name: scope, client, status: 'approved' };
}

test('the consent forest covers a scope with dependents at every depth, for this client', () => {
  const forest = [
    consent(1, [1], T),
    consent(2, [1, 2], A),
    consent(3, [1, 2, 3], C),
    consent(4, [4], 'openid'),
    consent(5, [5], T, 'other-client'),
    consent(6, [5, 6], B, 'other-client'),
  ];
  assert.equal(consentsCover(forest, CLIENT, T), true);
  assert.equal(consentsCover(forest, CLIENT, `${T}[*${A}]`), true);
  assert.equal(consentsCover(forest, CLIENT, `${T}[${A}[${C}]]`), true);
  // B was given to another client only; C is not directly under transfer.
  assert.equal(consentsCover(forest, CLIENT, `${T}[*${B}]`), false);
  assert.equal(consentsCover(forest, CLIENT, `${T}[*${A} *${B}]`), false);
  assert.equal(consentsCover(forest, CLIENT, `${T}[${C}]`), false);
  assert.equal(consentsCover(forest, 'other-client', `${T}[*${B}]`), true);
  assert.equal(consentsCover([], CLIENT, T), false);
});

test('readConsents keeps well-formed entries only', () => {
  const good = consent(1, [1], T);
  assert.deepEqual(
    readConsents({ consents: [good, { id: 'x' }, null, { ...good, dependency_path: ['1'] }] }),
    [good],
  );
  assert.deepEqual(readConsents({}), []);
});
