import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeExpiry,
  EXIT,
  exitCodeFor,
  formatDuration,
  formatError,
  formatTable,
  stylesFor,
  useColor,
} from '../../src/cli/output.js';
import {
  AuthFailure,
  AuthServerError,
  IdentityMismatch,
  InvalidIdToken,
  InvalidTokenFormat,
  LocalServerError,
  LoginCancelled,
  NetworkError,
  NoSavedTokens,
  ScopesMismatch,
  TokenFileCorrupt,
  TokenStorageError,
  TokensExpired,
  UsageError,
} from '../../src/errors.js';

const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
const pipe = {} as NodeJS.WritableStream;

describe('exit codes', () => {
  test('each error class has its documented code', () => {
    const cases: [unknown, number][] = [
      [new UsageError('x'), 2],
      [new NoSavedTokens(), 3],
      [new TokensExpired(['auth.globus.org']), 3],
      [new ScopesMismatch(['openid']), 3],
      [new IdentityMismatch('x'), 3],
      [new AuthServerError('x', { status: 500, endpoint: 'e' }), 4],
      [new NetworkError('x', { url: 'u' }), 4],
      [new InvalidIdToken('x'), 4],
      [new AuthFailure('x'), 4],
      [new LocalServerError('declined', { error: 'access_denied' }), 4],
      [new InvalidTokenFormat('The token response is not a JSON object.', { code: 'not_dict' }), 4],
      [new TokenFileCorrupt('bad', { filename: 'f' }), 5],
      [new TokenStorageError('locked'), 5],
      [new LoginCancelled('x'), 130],
      [new LoginCancelled('x', { cause: new DOMException('slow', 'TimeoutError') }), 124],
      [new Error('bug'), 1],
      ['a string', 1],
    ];
    for (const [error, code] of cases) assert.equal(exitCodeFor(error), code, String(error));
    assert.deepEqual(EXIT, {
      ok: 0,
      unexpected: 1,
      usage: 2,
      loginAgain: 3,
      authServer: 4,
      storage: 5,
      timedOut: 124,
      cancelled: 130,
    });
  });
});

describe('colour', () => {
  test('only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    assert.equal(useColor(tty, {}), true);
    assert.equal(useColor(pipe, {}), false);
    assert.equal(useColor(tty, { NO_COLOR: '1' }), false);
    assert.equal(useColor(tty, { NO_COLOR: '' }), true);
    assert.equal(useColor(tty, { TERM: 'dumb' }), false);
    assert.equal(stylesFor(tty, {}).red('x'), '\u001b[31mx\u001b[39m');
    assert.equal(stylesFor(tty, { NO_COLOR: 'yes' }).red('x'), 'x');
  });
});

describe('formatError', () => {
  const plain = stylesFor(pipe, {});

  test('one line and the hint; multi-line messages are folded', () => {
    const text = formatError(
      new TokensExpired(['a'], { message: 'Expired\n  now.' }),
      plain,
      false,
    );
    assert.equal(text, 'native-login: error: Expired now.\nhint: Log in again.\n');
  });

  test('a stack and the causes only in debug mode', () => {
    const error = new NetworkError('down', { url: 'u', cause: new Error('ECONNREFUSED') });
    assert.doesNotMatch(formatError(error, plain, false), /\n\s+at /);
    const debug = formatError(error, plain, true);
    assert.match(debug, /\n\s+at /);
    assert.match(debug, /caused by: Error: ECONNREFUSED/);
  });

  test('an error that is not ours says it looks like a bug', () => {
    assert.match(formatError(new TypeError('oops'), plain, false), /hint: This looks like a bug/);
  });
});

describe('durations and tables', () => {
  test('the largest two units', () => {
    assert.equal(formatDuration(172_800), '2d');
    assert.equal(formatDuration(172_799), '1d 23h');
    assert.equal(formatDuration(3600), '1h');
    assert.equal(formatDuration(3725), '1h 2m');
    assert.equal(formatDuration(59), '59s');
    assert.equal(formatDuration(0), '0s');
    assert.equal(describeExpiry(1000, 400), 'in 10m');
    assert.equal(describeExpiry(1000, 1060), 'expired 1m ago');
  });

  test('columns are padded to the widest cell', () => {
    assert.equal(
      formatTable(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ],
      ),
      'A    BB\nxxx  y\nz\n',
    );
  });
});
