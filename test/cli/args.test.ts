import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  findCommand,
  parseCommandLine,
  parseQueryParams,
  parseTimeoutSeconds,
  splitShortEquals,
} from '../../src/cli/args.js';
import { UsageError } from '../../src/errors.js';

describe('parseCommandLine', () => {
  test('global options before or after the command', () => {
    const before = parseCommandLine(['--client-id', 'abc', 'status', '--json']);
    const after = parseCommandLine(['status', '--json', '--client-id=abc']);
    for (const parsed of [before, after]) {
      assert.equal(parsed.command, 'status');
      assert.equal(parsed.values['client-id'], 'abc');
      assert.equal(parsed.values['json'], true);
    }
  });

  test('the value of a global option is never taken for the command', () => {
    assert.equal(findCommand(['--storage', 'login', 'token']), 2);
    assert.equal(parseCommandLine(['--storage', 'login', 'token']).command, 'token');
  });

  test('a short option with = is split as people mean it, whatever follows the =', () => {
    assert.equal(
      parseCommandLine(['token', '-r=auth.globus.org']).values['resource-server'],
      'auth.globus.org',
    );
    // As /^(-[a-zA-Z])=(.*)$/s split it, for every word before `--`.
    const reference = (arg: string) => {
      const match = /^(-[a-zA-Z])=(.*)$/s.exec(arg);
      return match ? [match[1], match[2]] : [arg];
    };
    const words = ['-r=x', '-R=x', '-r=', '-r=a=b\nc', '-1=x', '-@=x', '-[=x', '-`=x', '-{=x'];
    words.push('--r=x', '-rr=x', 'r=x', '-r', '-', '', '-\u00e9=x', '-z=x', '-Z=x', '-a=x');
    for (const word of words) assert.deepEqual(splitShortEquals([word]), reference(word), word);
    assert.deepEqual(splitShortEquals(['-r=a', '--', '-r=b']), ['-r', 'a', '--', '-r=b']);
  });

  test('repeatable and short options', () => {
    const parsed = parseCommandLine(['login', '-s', 'openid', '--scope', 'email', '--force']);
    assert.deepEqual(parsed.values['scope'], ['openid', 'email']);
    assert.equal(parsed.values['force'], true);
    assert.equal(
      parseCommandLine(['token', '-r', 'auth.globus.org']).values['resource-server'],
      'auth.globus.org',
    );
  });

  test('unknown flags, commands and stray arguments are usage errors', () => {
    assert.throws(() => parseCommandLine(['status', '--bogus']), UsageError);
    assert.throws(() => parseCommandLine(['status', '--scope', 'x']), UsageError);
    assert.throws(() => parseCommandLine(['frobnicate']), UsageError);
    assert.throws(() => parseCommandLine(['status', 'extra']), UsageError);
    assert.throws(() => parseCommandLine(['--client-id']), UsageError);
  });

  test('the emulator gets its own arguments untouched', () => {
    const parsed = parseCommandLine(['--debug', 'emulator', '--port', '0', '--auto-approve']);
    assert.equal(parsed.command, 'emulator');
    assert.deepEqual(parsed.rest, ['--port', '0', '--auto-approve']);
    assert.equal(parsed.values['debug'], true);
  });

  test('no command, and help with a command name', () => {
    assert.equal(parseCommandLine(['--help']).command, undefined);
    assert.deepEqual(parseCommandLine(['help', 'login']).positionals, ['login']);
  });
});

describe('option values', () => {
  test('--query-param K=V, repeated keys become lists, "=" may appear in values', () => {
    assert.deepEqual(parseQueryParams(['a=1', 'b=x=y', 'a=2', 'c=']), {
      a: ['1', '2'],
      b: 'x=y',
      c: '',
    });
    assert.throws(() => parseQueryParams(['novalue']), UsageError);
    assert.throws(() => parseQueryParams(['=v']), UsageError);
  });

  test('--timeout in seconds, positive only', () => {
    assert.equal(parseTimeoutSeconds('30'), 30_000);
    assert.equal(parseTimeoutSeconds('0.5'), 500);
    for (const bad of ['0', '-1', 'soon', '', 'Infinity']) {
      assert.throws(() => parseTimeoutSeconds(bad), UsageError);
    }
  });
});
