import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { AccessTokenAuthorizer } from '../../src/authorizers/access-token-authorizer.js';
import { RefreshTokenAuthorizer } from '../../src/authorizers/refresh-token-authorizer.js';
import type { TokenGroup } from '../../src/tokens/token-group.js';

// A real API server: accepts only the token in `valid`, echoes the body it got.
let server: Server;
let url = '';
let valid = 'fresh-1';
const seen: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    const header = req.headers.authorization ?? '';
    seen.push(header);
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      res.writeHead(header === `Bearer ${valid}` ? 200 : 401, { connection: 'close' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => server.close());

function group(overrides: Partial<TokenGroup> = {}): TokenGroup {
  return {
    scope: 'urn:globus:auth:scope:transfer.api.globus.org:all',
    access_token: 'old',
    refresh_token: 'rt-1',
    token_type: 'Bearer',
    expires_at_seconds: 1000,
    resource_server: 'transfer.api.globus.org',
    ...overrides,
  };
}

describe('AccessTokenAuthorizer', () => {
  test('gives the header and hands a 401 back unchanged', async () => {
    const authorizer = new AccessTokenAuthorizer('nope');
    assert.equal(await authorizer.getAuthorizationHeader(), 'Bearer nope');
    const response = await authorizer.fetch(url);
    assert.equal(response.status, 401);
    await response.text();
    assert.throws(() => new AccessTokenAuthorizer(''), TypeError);
  });
});

describe('RefreshTokenAuthorizer', () => {
  test('does not refresh before expires_at - 60 s, refreshes after', async () => {
    let now = 900;
    let calls = 0;
    const authorizer = new RefreshTokenAuthorizer(group(), {
      now: () => now,
      refresh: async (g) => {
        calls += 1;
        return { ...g, access_token: `new-${calls}`, expires_at_seconds: now + 3600 };
      },
    });
    assert.equal(await authorizer.getAuthorizationHeader(), 'Bearer old');
    now = 941;
    assert.equal(await authorizer.getAuthorizationHeader(), 'Bearer new-1');
    assert.equal(calls, 1);
  });

  test('10,000 concurrent callers cause exactly one refresh; onRefresh runs before any gets it', async () => {
    let calls = 0;
    let stored: TokenGroup | null = null;
    const authorizer = new RefreshTokenAuthorizer(group(), {
      now: () => 2000,
      refresh: async (g) => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ...g, access_token: 'shared', expires_at_seconds: 9999, refresh_token: null };
      },
      onRefresh: async (g) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        stored = g;
      },
    });
    const headers = await Promise.all(
      Array.from({ length: 10_000 }, async () => {
        const header = await authorizer.getAuthorizationHeader();
        assert.ok(stored, 'stored before handed out');
        return header;
      }),
    );
    assert.equal(calls, 1);
    assert.ok(headers.every((h) => h === 'Bearer shared'));
    // The answer had no refresh token: ours is kept.
    assert.equal(authorizer.tokens.refresh_token, 'rt-1');
  });

  test('adopts a rotated refresh token', async () => {
    const authorizer = new RefreshTokenAuthorizer(group(), {
      now: () => 2000,
      refresh: async (g) => ({
        ...g,
        access_token: 'x',
        refresh_token: 'rt-2',
        expires_at_seconds: 9999,
      }),
    });
    await authorizer.getAuthorizationHeader();
    assert.equal(authorizer.tokens.refresh_token, 'rt-2');
  });

  test('a failed refresh reaches every waiter and the next call tries again', async () => {
    let calls = 0;
    const authorizer = new RefreshTokenAuthorizer(group(), {
      now: () => 2000,
      refresh: async () => {
        calls += 1;
        throw new Error('boom');
      },
    });
    const results = await Promise.allSettled(
      [1, 2, 3].map(() => authorizer.getAuthorizationHeader()),
    );
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.equal(calls, 1);
    await assert.rejects(authorizer.getAuthorizationHeader());
    assert.equal(calls, 2);
  });

  test('fetch: a 401 refreshes once and retries once with the same body', async () => {
    valid = 'fresh-1';
    seen.length = 0;
    let calls = 0;
    const authorizer = new RefreshTokenAuthorizer(group({ expires_at_seconds: 99_999 }), {
      now: () => 2000,
      refresh: async (g) => {
        calls += 1;
        return { ...g, access_token: `fresh-${calls}`, expires_at_seconds: 99_999 };
      },
    });
    const response = await authorizer.fetch(url, { method: 'POST', body: 'payload' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'payload');
    assert.deepEqual(seen, ['Bearer old', 'Bearer fresh-1']);
    assert.equal(calls, 1);

    // Still 401 after the refresh: handed back, no loop.
    valid = 'never';
    const again = await authorizer.fetch(url);
    assert.equal(again.status, 401);
    await again.text();
    assert.equal(calls, 2);
  });

  test('needs a refresh token', () => {
    assert.throws(
      () => new RefreshTokenAuthorizer(group({ refresh_token: null }), { refresh: async (g) => g }),
      TypeError,
    );
  });
});
