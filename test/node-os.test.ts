// node-os.ts: the home folder without loading node:os must be exactly what os.homedir() gives,
// for HOME set, set but empty, and unset (then the password database). The real environment
// of this process, restored after.
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, test } from 'node:test';
import { homedir, nodeOs } from '../src/node-os.js';

const saved = process.env['HOME'];
after(() => {
  if (saved === undefined) delete process.env['HOME'];
  else process.env['HOME'] = saved;
});

test('homedir() is os.homedir(), with HOME set, empty or unset', () => {
  for (const home of ['/home/someone else', 'relative/home', '', undefined]) {
    if (home === undefined) delete process.env['HOME'];
    else process.env['HOME'] = home;
    assert.equal(homedir(), os.homedir(), JSON.stringify(home));
  }
});

test('nodeOs() is node:os itself', () => {
  assert.equal(nodeOs(), os);
});
