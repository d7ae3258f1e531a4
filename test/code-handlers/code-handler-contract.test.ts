/**
 * One contract, run against every built-in CodeHandler: lifecycle, redirect URI, the code
 * arriving, abort, timeout, stop, and that nothing is left behind afterwards.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CallbackCodeHandler } from '../../examples/custom-code-handler.js';
import type { CodeHandler } from '../../src/code-handlers/code-handler.js';
import { InputCodeHandler } from '../../src/code-handlers/input-code-handler.js';
import { LocalServerCodeHandler } from '../../src/code-handlers/local-server-code-handler.js';
import { AuthFailure, LoginCancelled } from '../../src/errors.js';
import {
  httpRequest,
  makeContext,
  portOf,
  type TestContext,
  tryConnect,
} from './helpers/handler-context.js';

type Harness = {
  name: string;
  /** Built-in handlers also promise exact message wording. */
  builtIn: boolean;
  make: () => CodeHandler;
  redirectUriPattern: RegExp;
  /** Plays the person: gets `code` to the handler the way a real login would. */
  deliver: (handler: CodeHandler, t: TestContext, state: string, code: string) => Promise<void>;
  /** Proves the handler holds nothing any more (sockets, stream listeners). */
  assertReleased: (handler: CodeHandler, t: TestContext) => Promise<void>;
};

const harnesses: Harness[] = [
  {
    name: 'LocalServerCodeHandler',
    builtIn: true,
    make: () => new LocalServerCodeHandler(),
    redirectUriPattern: /^http:\/\/127\.0\.0\.1:[1-9]\d*\/$/,
    deliver: async (handler, _t, state, code) => {
      const answer = await httpRequest(`${handler.redirectUri}?code=${code}&state=${state}`);
      assert.equal(answer.status, 200);
    },
    assertReleased: async (handler) => {
      assert.equal(await tryConnect(portOf(handler.redirectUri)), 'ECONNREFUSED');
    },
  },
  {
    name: 'InputCodeHandler',
    builtIn: true,
    make: () => new InputCodeHandler(),
    redirectUriPattern: /^https:\/\/auth\.example\.org\/v2\/web\/auth-code$/,
    deliver: async (_handler, t, _state, code) => {
      t.stdin.write(`${code}\n`);
    },
    assertReleased: async (_handler, t) => {
      assert.equal(t.stdin.listenerCount('data'), 0);
      assert.equal(t.stdin.listenerCount('end'), 0);
      // The caller's stream is left open.
      assert.equal(t.stdin.writableEnded, false);
      assert.equal(t.stdin.destroyed, false);
    },
  },
  {
    // The documented example must honour the same contract.
    name: 'CallbackCodeHandler (examples/custom-code-handler.ts)',
    builtIn: false,
    make: () => new CallbackCodeHandler(() => undefined),
    redirectUriPattern: /^https:\/\/auth\.example\.org\/v2\/web\/auth-code$/,
    deliver: async (handler, _t, _state, code) => {
      (handler as CallbackCodeHandler).submitCode(code);
    },
    assertReleased: async () => undefined,
  },
];

const request = {
  authorizeUrl: 'https://auth.example.org/v2/oauth2/authorize?x=1',
  state: 'st4te',
};

for (const harness of harnesses) {
  describe(`CodeHandler contract: ${harness.name}`, { timeout: 20_000 }, () => {
    test('start and stop are idempotent, and the handler can be started again', async () => {
      const t = makeContext();
      const handler = harness.make();
      assert.equal(typeof handler.name, 'string');
      assert.equal(handler.unavailableReason(t.ctx), null);
      await handler.start(t.ctx);
      await handler.start(t.ctx);
      assert.match(handler.redirectUri, harness.redirectUriPattern);
      await handler.stop();
      await handler.stop();
      await handler.start(t.ctx);
      assert.match(handler.redirectUri, harness.redirectUriPattern);
      await handler.stop();
      await harness.assertReleased(handler, t);
    });

    test('stop before start is harmless', async () => {
      await harness.make().stop();
    });

    test('resolves with the code delivered for its state, then holds nothing', async () => {
      const t = makeContext();
      const handler = harness.make();
      await handler.start(t.ctx);
      try {
        const pending = handler.authenticate(request, t.ctx);
        await harness.deliver(handler, t, request.state, 'the-code-1');
        assert.deepEqual(await pending, { code: 'the-code-1' });
        await harness.assertReleased(handler, t);
        if (harness.builtIn)
          assert.ok(t.stderrText().includes(request.authorizeUrl), 'the URL is printed');
      } finally {
        await handler.stop();
      }
    });

    test('can log in twice in a row with the same instance', async () => {
      const handler = harness.make();
      for (const code of ['first', 'second']) {
        const t = makeContext();
        await handler.start(t.ctx);
        try {
          const pending = handler.authenticate(request, t.ctx);
          await harness.deliver(handler, t, request.state, code);
          assert.equal((await pending).code, code);
        } finally {
          await handler.stop();
        }
      }
    });

    test('an abort rejects with LoginCancelled carrying the reason, and releases everything', async () => {
      const t = makeContext();
      const handler = harness.make();
      await handler.start(t.ctx);
      try {
        const pending = handler.authenticate(request, t.ctx);
        const reason = new Error('skipped by the test');
        t.controller.abort(reason);
        const error = await pending.then(
          () => assert.fail('should have been cancelled'),
          (e: unknown) => e,
        );
        assert.ok(error instanceof LoginCancelled);
        assert.ok(error instanceof AuthFailure);
        assert.equal(error.code, 'cancelled');
        assert.equal(error.cause, reason);
        if (harness.builtIn) assert.match(error.message, /skipped by the test/);
        await harness.assertReleased(handler, t);
      } finally {
        await handler.stop();
      }
    });

    test('an already aborted signal rejects at once without asking anything', async () => {
      const t = makeContext();
      t.controller.abort('caller gave up');
      const handler = harness.make();
      await handler.start(t.ctx);
      try {
        await assert.rejects(handler.authenticate(request, t.ctx), (e: unknown) => {
          assert.ok(e instanceof LoginCancelled);
          assert.equal(e.cause, 'caller gave up');
          return true;
        });
        assert.equal(t.stderrText(), '');
      } finally {
        await handler.stop();
      }
    });

    test('a timeout rejects with LoginCancelled saying it timed out and how to retry', async () => {
      const t = makeContext({ timeoutMs: 50 });
      const handler = harness.make();
      await handler.start(t.ctx);
      try {
        await assert.rejects(handler.authenticate(request, t.ctx), (e: unknown) => {
          assert.ok(e instanceof LoginCancelled);
          assert.match(e.message, /timed out/);
          if (harness.builtIn) {
            assert.match(e.message, /timed out after 50 ms/);
            assert.match(e.hint ?? '', /Run the login again/);
            assert.equal((e.cause as Error).name, 'TimeoutError');
            assert.ok(e.hint);
          }
          return true;
        });
        await harness.assertReleased(handler, t);
      } finally {
        await handler.stop();
      }
    });

    test('stop() during the wait ends it with LoginCancelled', async () => {
      const t = makeContext();
      const handler = harness.make();
      await handler.start(t.ctx);
      const pending = handler.authenticate(request, t.ctx);
      await handler.stop();
      await assert.rejects(pending, LoginCancelled);
      await harness.assertReleased(handler, t);
    });
  });
}
