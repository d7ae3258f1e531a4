import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { AccessTokenAuthorizer } from '../../src/authorizers/access-token-authorizer.js';
import { RefreshTokenAuthorizer } from '../../src/authorizers/refresh-token-authorizer.js';
import { AuthorizationRequirementsError } from '../../src/errors.js';
import { rejection } from '../helpers/rejection.js';

// A real API: /gare answers 403 with a GARE unless the token is "good"; /plain answers a
// plain 403; /legacy401 answers 401 with Transfer's legacy shape.
const gare = {
  code: 'AuthorizationRequired',
  authorization_parameters: {
    session_required_mfa: true,
    session_required_single_domain: ['uni.example'],
    session_message: 'Use <your> university login',
  },
};
let server: Server;
let base = '';
const seen: { path: string; auth: string }[] = [];
before(async () => {
  server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.push({ path: req.url ?? '', auth });
    res.setHeader('content-type', 'application/json');
    if (auth === 'Bearer good') return void res.end('{"ok":true}');
    if (req.url?.startsWith('/gare')) {
      res.statusCode = 403;
      return void res.end(JSON.stringify({ errors: [{ code: 'X' }, gare] }));
    }
    if (req.url === '/legacy401') {
      res.statusCode = 401;
      return void res.end(
        JSON.stringify({ code: 'ConsentRequired', required_scopes: ['s[*d]'], message: 'm' }),
      );
    }
    res.statusCode = 403;
    if (req.url === '/huge') {
      // A GARE-looking start, then more than the 256 KiB read for a GARE: stays a response.
      // Written in two parts: chunked, no content-length, so the reading itself is capped.
      res.write('{"code":"C","authorization_parameters":{},"x":"');
      return void res.end(`${'y'.repeat(300_000)}"}`);
    }
    res.end(JSON.stringify({ code: 'PermissionDenied', message: 'no' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('a 403 GARE throws AuthorizationRequirementsError with the requirement in words', async () => {
  const authorizer = new AccessTokenAuthorizer('secret-token', { resourceServer: 'rs.example' });
  const error = await rejection(authorizer.fetch(`${base}/gare?token=x`));
  assert.ok(error instanceof AuthorizationRequirementsError);
  assert.equal(error.code, 'authorization_required');
  assert.equal(error.status, 403);
  assert.equal(error.url, `${base}/gare`);
  assert.equal(error.resourceServer, 'rs.example');
  assert.deepEqual(error.gare, gare);
  assert.match(error.message, /multi-factor authentication/);
  assert.match(error.message, /uni\.example/);
  assert.match(error.hint ?? '', /MFA/);
  assert.doesNotMatch(`${error.message} ${error.hint}`, /secret-token/);
});

test('a plain 403 stays a response, body unread', async () => {
  const authorizer = new AccessTokenAuthorizer('t');
  const response = await authorizer.fetch(`${base}/plain`);
  assert.equal(response.status, 403);
  assert.deepEqual(await response.json(), { code: 'PermissionDenied', message: 'no' });
});

test('a body too large to be a GARE stays a response, readable in full', async () => {
  const response = await new AccessTokenAuthorizer('t').fetch(`${base}/huge`);
  assert.equal(response.status, 403);
  assert.ok((await response.text()).length > 300_000);
});

test('a 401 GARE is thrown after the one refresh and retry', async () => {
  let refreshes = 0;
  const authorizer = new RefreshTokenAuthorizer(
    {
      scope: 's',
      access_token: 'a1',
      refresh_token: 'r1',
      token_type: 'Bearer',
      expires_at_seconds: Math.floor(Date.now() / 1000) + 3600,
      resource_server: 'rs.example',
    },
    {
      refresh: async (group) => {
        refreshes += 1;
        return { ...group, access_token: `a${refreshes + 1}` };
      },
    },
  );
  const error = await rejection(authorizer.fetch(`${base}/legacy401`));
  assert.ok(error instanceof AuthorizationRequirementsError);
  assert.equal(error.status, 401);
  assert.equal(refreshes, 1);
  assert.deepEqual(error.gare.authorization_parameters.required_scopes, ['s[*d]']);
  assert.equal(error.resourceServer, 'rs.example');
});

test('redrive: one login, one retry with the new token; never a loop', async () => {
  const calls: AuthorizationRequirementsError[] = [];
  const good = new AccessTokenAuthorizer('bad', {
    onAuthorizationRequired: async (error) => {
      calls.push(error);
      return {
        scope: 's',
        access_token: 'good',
        refresh_token: null,
        token_type: 'Bearer',
        expires_at_seconds: 0,
        resource_server: 'rs.example',
      };
    },
  });
  const response = await good.fetch(`${base}/gare`, { method: 'POST', body: 'x' });
  assert.equal(response.status, 200);
  assert.equal(calls.length, 1);
  // A second login that does not help: the GARE is thrown, the handler ran once.
  let count = 0;
  const stuck = new AccessTokenAuthorizer('bad', {
    onAuthorizationRequired: async () => {
      count += 1;
      return {
        scope: 's',
        access_token: 'still-bad',
        refresh_token: null,
        token_type: 'Bearer',
        expires_at_seconds: 0,
        resource_server: 'rs.example',
      };
    },
  });
  assert.ok(
    (await rejection(stuck.fetch(`${base}/gare`))) instanceof AuthorizationRequirementsError,
  );
  assert.equal(count, 1);
  // Null from the handler (nobody to ask): the GARE is thrown.
  const nobody = new AccessTokenAuthorizer('bad', { onAuthorizationRequired: async () => null });
  assert.ok(
    (await rejection(nobody.fetch(`${base}/gare`))) instanceof AuthorizationRequirementsError,
  );
  // A 401 GARE is never redriven (GlobusApp redrives 403 only).
  let on401 = 0;
  const legacy = new AccessTokenAuthorizer('bad', {
    onAuthorizationRequired: async () => {
      on401 += 1;
      return null;
    },
  });
  await rejection(legacy.fetch(`${base}/legacy401`));
  assert.equal(on401, 0);
});
