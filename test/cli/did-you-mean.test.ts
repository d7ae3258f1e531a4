import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  didYouMean,
  editDistance,
  nearest,
  unknownOptionAdvice,
} from '../../src/cli/did-you-mean.js';

test('edit distance counts inserts, deletes, substitutions and neighbour swaps', () => {
  assert.equal(editDistance('login', 'login'), 0);
  assert.equal(editDistance('logn', 'login'), 1);
  assert.equal(editDistance('lgoin', 'login'), 1);
  assert.equal(editDistance('com', 'org'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('nearest suggests likely typos only', () => {
  assert.equal(nearest('logn', ['login', 'logout', 'status']), 'login');
  assert.equal(nearest('jsn', ['json', 'help']), 'json');
  assert.equal(nearest('refresh-token', ['refresh-tokens', 'force']), 'refresh-tokens');
  assert.equal(
    nearest('transfer.api.globus.com', ['auth.globus.org', 'transfer.api.globus.org']),
    'transfer.api.globus.org',
  );
  assert.equal(nearest('search.api.globus.org', ['transfer.api.globus.org']), undefined);
  assert.equal(nearest('xyz', ['login']), undefined);
  assert.equal(nearest('login', ['login']), undefined);
  assert.equal(didYouMean('stauts', ['status']), ' Did you mean status?');
  assert.equal(didYouMean('zzz', ['status']), '');
});

test('an unknown option: the command that has it, or the nearest option', () => {
  const byCommand = { status: { json: {} }, whoami: { json: {} }, login: { force: {} } };
  const msg = (flag: string) => `Unknown option '${flag}'. To specify a positional argument…`;
  assert.equal(
    unknownOptionAdvice(msg('--force'), ['json'], byCommand),
    '--force is an option of login. ',
  );
  assert.equal(
    unknownOptionAdvice(msg('--jsn'), ['json', 'help'], byCommand),
    'Did you mean --json? ',
  );
  assert.equal(unknownOptionAdvice(msg('--zzz'), ['json'], byCommand), '');
  assert.equal(unknownOptionAdvice(msg('-x'), ['json'], byCommand), '');
});
