import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeUser } from '../src/cli/commands/whoami.js';
import { formatError, formatTable, stylesFor } from '../src/cli/output.js';
import { AuthServerError } from '../src/errors.js';
import { printable, terminalSafeJson } from '../src/terminal-text.js';

// What an attacker sent: clear the screen, home the cursor, a fake prompt; C1 CSI; bidi.
const HOSTILE = 'Ann\u001b[2J\u001b[H\u0007Password: \u009b31m\u202eevil\r\n';
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

test('printable: controls and bidi overrides become spaces, length bounded', () => {
  assert.equal(printable('a\u001b[2Jb'), 'a [2Jb');
  assert.doesNotMatch(printable(HOSTILE), UNSAFE);
  assert.equal(printable('x'.repeat(20), 5), 'xxxxx…');
  assert.equal(printable('Zoë 東京'), 'Zoë 東京');
});

test('whoami and login lines: userinfo fields reach the terminal printable only', () => {
  const out = describeUser({
    name: HOSTILE,
    preferred_username: `u${HOSTILE}`,
    email: `e${HOSTILE}`,
    organization: HOSTILE,
    sub: 'b0d4a1c2',
  });
  for (const line of out.split('\n')) assert.doesNotMatch(line, UNSAFE, JSON.stringify(line));
  assert.match(out, /^Ann \[2J \[H Password: {2}31m evil \(uAnn/);
});

test('error messages, hints and tables are printable', () => {
  const error = new AuthServerError(`Globus Auth said ${HOSTILE}`, {
    status: 400,
    endpoint: 'http://127.0.0.1/',
    hint: HOSTILE,
  });
  const styles = stylesFor(process.stderr, { NO_COLOR: '1' });
  for (const debug of [false, true]) {
    const text = formatError(error, styles, debug).replace(/\n/g, '');
    assert.doesNotMatch(text, UNSAFE, JSON.stringify(text));
  }
  const table = formatTable(['RS'], [[HOSTILE]]).replace(/\n/g, '');
  assert.doesNotMatch(table, UNSAFE);
});

test('terminalSafeJson: what JSON leaves raw is escaped, and parses back to the same value', () => {
  const value = { name: HOSTILE, sep: 'a\u2028b\u2029c', del: 'x\u007fy', plain: 'Zoë 東京' };
  const out = terminalSafeJson(value);
  for (const line of out.split('\n')) assert.doesNotMatch(line, UNSAFE, line);
  assert.doesNotMatch(out, /[\u2028\u2029]/);
  assert.match(out, /\\u009b31m/);
  assert.deepEqual(JSON.parse(out), value);
  assert.match(out, /"plain": "Zoë 東京"/);
});
