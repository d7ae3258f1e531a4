import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGare } from '../../src/gare/parse-gare.js';

/** Cases follow globus-sdk's tests/unit/test_auth_requirements_error.py and its variants. */

const transferDep = 'urn:globus:auth:scope:transfer.api.globus.org:all[*foo *bar]';

test('the current shape, at the root, keeps every field and unknown ones', () => {
  const body = {
    code: 'ConsentRequired',
    request_id: 'r1',
    authorization_parameters: {
      session_message: 'Log in with your university identity',
      session_required_identities: ['id-1'],
      session_required_policies: ['p-1'],
      session_required_single_domain: ['uchicago.edu'],
      session_required_mfa: true,
      required_scopes: [transferDep],
      prompt: 'login',
      optional: 'A non-canonical field',
    },
  };
  assert.deepEqual(parseGare(body), body);
});

test('null fields are left out, as to_dict leaves out None', () => {
  assert.deepEqual(
    parseGare({ code: 'X', authorization_parameters: { session_message: null, prompt: null } }),
    { code: 'X', authorization_parameters: {} },
  );
});

test('shape 1: authorization_parameters without a code is AuthorizationRequired', () => {
  // '' is a string, so the current shape takes it first and keeps it, as globus-sdk does.
  assert.equal(parseGare({ code: '', authorization_parameters: {} })?.code, '');
  for (const code of [undefined, null, 0, false, [], {}]) {
    const gare = parseGare({ code, authorization_parameters: { session_required_mfa: true } });
    assert.equal(gare?.code, 'AuthorizationRequired', `code ${JSON.stringify(code)}`);
    assert.deepEqual(gare?.authorization_parameters, { session_required_mfa: true });
  }
});

test('shape 1: comma-separated policies and domains become lists; the code is kept', () => {
  const gare = parseGare({
    code: 'UnsatisfiedPolicy',
    authorization_parameters: {
      session_required_policies: 'foo,baz',
      session_required_single_domain: 'foo.com,baz.org',
      session_message: 'm',
    },
  });
  assert.deepEqual(gare, {
    code: 'UnsatisfiedPolicy',
    authorization_parameters: {
      session_required_policies: ['foo', 'baz'],
      session_required_single_domain: ['foo.com', 'baz.org'],
      session_message: 'm',
    },
  });
  // Python's "".split(",") is [""], and globus-sdk keeps it.
  assert.deepEqual(
    parseGare({ authorization_parameters: { session_required_policies: '' } })
      ?.authorization_parameters.session_required_policies,
    [''],
  );
});

test('shape 1: prompt must be login or null; a truthy non-string code is refused', () => {
  assert.equal(parseGare({ authorization_parameters: { prompt: 'consent', x: ',' } }), null);
  assert.equal(parseGare({ code: 5, authorization_parameters: {} }), null);
  // The current shape takes any prompt string.
  assert.equal(
    parseGare({ code: 'C', authorization_parameters: { prompt: 'none' } })?.authorization_parameters
      .prompt,
    'none',
  );
});

test('shape 2: Transfer ConsentRequired; message becomes session_message; extras kept', () => {
  const gare = parseGare({
    code: 'ConsentRequired',
    message: 'Missing required foo_bar consent',
    request_id: 'WmMV97A1w',
    required_scopes: [transferDep],
    resource: '/transfer',
  });
  assert.deepEqual(gare, {
    code: 'ConsentRequired',
    message: 'Missing required foo_bar consent',
    request_id: 'WmMV97A1w',
    resource: '/transfer',
    authorization_parameters: {
      required_scopes: [transferDep],
      session_message: 'Missing required foo_bar consent',
    },
  });
  // A message that is not a string makes the shape fail (and shape 3 needs required_scope).
  assert.equal(parseGare({ code: 'ConsentRequired', required_scopes: ['s'], message: 1 }), null);
  assert.equal(parseGare({ code: 'ConsentRequired', required_scopes: 's' }), null);
});

test('shape 3: action provider ConsentRequired with one required_scope and description', () => {
  assert.deepEqual(
    parseGare({
      code: 'ConsentRequired',
      required_scope: transferDep,
      description: 'Missing required foo_bar consent',
      authorization_parameters: 'not an object',
      status: 401,
    }),
    {
      code: 'ConsentRequired',
      description: 'Missing required foo_bar consent',
      status: 401,
      authorization_parameters: {
        required_scopes: [transferDep],
        session_message: 'Missing required foo_bar consent',
      },
    },
  );
});

test('shape 4: Auth dependent_consent_required takes errors[0].unapproved_scopes', () => {
  const scope = 'https://auth.globus.org/scopes/00000000/flow_user';
  const body = {
    error: 'dependent_consent_required',
    error_description: "User must approve your client using scopes. See 'unapproved_scopes'.",
    errors: [{ code: 'DEPENDENT_CONSENT_REQUIRED', unapproved_scopes: [scope], status: '403' }],
  };
  assert.deepEqual(parseGare(body), {
    code: 'ConsentRequired',
    authorization_parameters: { required_scopes: [scope] },
  });
  // No unapproved_scopes key: an empty list, as errors[0].get("unapproved_scopes", []).
  assert.deepEqual(
    parseGare({ error: 'dependent_consent_required', errors: [{}] })?.authorization_parameters,
    { required_scopes: [] },
  );
  for (const errors of [[], 'abc', {}, null, [1]]) {
    assert.equal(parseGare({ error: 'dependent_consent_required', errors }), null);
  }
});

test('the root is tried first, then each errors[] entry; the first match wins', () => {
  const body = {
    errors: [
      { code: 'NotAnError', message: 'no' },
      { code: 'ConsentRequired', authorization_parameters: { required_scopes: ['a'] } },
      { code: 'ConsentRequired', authorization_parameters: { required_scopes: ['b'] } },
    ],
  };
  assert.deepEqual(parseGare(body)?.authorization_parameters.required_scopes, ['a']);
  const rootWins = { ...body, code: 'Root', authorization_parameters: { prompt: 'login' } };
  assert.equal(parseGare(rootWins)?.code, 'Root');
  // errors[] is used only when every entry is an object (globus-sdk's is_list_of(dict)).
  assert.equal(parseGare({ errors: [...body.errors, 'text'] }), null);
});

test('the current shape wins over a legacy one in the same document', () => {
  const gare = parseGare({
    code: 'ConsentRequired',
    message: 'Missing required foo_bar consent',
    required_scopes: [transferDep],
    authorization_parameters: { session_message: 'Missing baz consent', required_scopes: ['baz'] },
  });
  assert.deepEqual(gare?.authorization_parameters, {
    session_message: 'Missing baz consent',
    required_scopes: ['baz'],
  });
  assert.deepEqual(gare?.['required_scopes'], [transferDep]);
});

test('a bad field type makes the current shape fall back to the legacy ones', () => {
  // A comma string is not a list: the current shape fails, shape 1 accepts it.
  const gare = parseGare({
    code: 'C',
    authorization_parameters: { session_required_policies: 'a,b', required_scopes: ['s'] },
  });
  assert.deepEqual(gare?.authorization_parameters.session_required_policies, ['a', 'b']);
  assert.deepEqual(gare?.authorization_parameters.required_scopes, ['s']);
  // mfa must be a boolean in every shape.
  assert.equal(
    parseGare({ code: 'C', authorization_parameters: { session_required_mfa: 'yes' } }),
    null,
  );
});

test('what is not a GARE is null', () => {
  for (const body of [
    null,
    'text',
    42,
    [],
    [{ code: 'C', authorization_parameters: {} }],
    {},
    { code: 'ConsentRequired' },
    { code: 'AuthorizationRequired', required_scopes: ['s'] },
    { errors: [{ status: '401', code: 'UNAUTHORIZED', detail: 'Call must be authenticated' }] },
    { code: 'C', authorization_parameters: [] },
  ]) {
    assert.equal(parseGare(body), null, JSON.stringify(body));
  }
});
