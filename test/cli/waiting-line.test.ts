import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import {
  formatClock,
  LiveLocalServerCodeHandler,
  WaitingLine,
} from '../../src/cli/waiting-line.js';
import type { CodeHandlerContext } from '../../src/code-handlers/code-handler.js';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

test('clock format', () => {
  assert.equal(formatClock(7), '0:07');
  assert.equal(formatClock(754), '12:34');
  assert.equal(formatClock(3723), '1:02:03');
  assert.equal(formatClock(-5), '0:00');
});

test('the line counts up, gets out of the way of other writes, and is gone when stopped', () => {
  const out = sink();
  let now = 1_000_000;
  const line = new WaitingLine(out.stream, 600_000, () => now);
  const other = line.writerAround();
  other.write('before\n');
  line.start();
  now += 42_000;
  line.draw();
  assert.match(line.text(), /waiting 0:42 \(gives up in 9:18; Ctrl-C to paste a code instead\)/);
  other.write('a message\n');
  line.stop();
  line.stop();
  const clear = '\r\u001b[2K';
  assert.equal(
    out.text(),
    `before\n${clear}  waiting 0:00 (gives up in 10:00; Ctrl-C to paste a code instead)` +
      `${clear}  waiting 0:42 (gives up in 9:18; Ctrl-C to paste a code instead)` +
      `${clear}a message\n${clear}  waiting 0:42 (gives up in 9:18; Ctrl-C to paste a code instead)${clear}`,
  );
  assert.doesNotMatch(new WaitingLine(out.stream, 0).text(), /gives up/);
});

test('the live local server handler still delivers the code, and clears its line', async () => {
  const out = sink();
  const handler = new LiveLocalServerCodeHandler();
  const ctx: CodeHandlerContext = {
    authBaseUrl: 'http://127.0.0.1:9/',
    appName: 'Test',
    noBrowser: true,
    openBrowser: () => undefined,
    stdin: new PassThrough(),
    stderr: out.stream,
    env: {},
    signal: new AbortController().signal,
    timeoutMs: 60_000,
  };
  try {
    await handler.start(ctx);
    const answer = handler.authenticate(
      { authorizeUrl: 'http://127.0.0.1:9/authorize', state: 's1' },
      ctx,
    );
    const response = await fetch(`${handler.redirectUri}?code=the-code&state=s1`);
    await response.text();
    assert.deepEqual(await answer, { code: 'the-code' });
    assert.match(out.text(), /http:\/\/127\.0\.0\.1:9\/authorize/);
    assert.match(out.text(), /waiting 0:00/);
    assert.ok(out.text().endsWith('\r\u001b[2K'), 'the line is cleared at the end');
  } finally {
    await handler.stop();
  }
});
