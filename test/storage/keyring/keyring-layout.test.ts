import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  asciiJson,
  decodeHead,
  decodeIndex,
  encodeIndex,
  encodeValue,
  extraPartAccounts,
  ITEM_CHARS,
  isValidKeyringClientId,
} from '../../../src/storage/keyring/keyring-layout.js';

/** What a reader does: the head's data, then each part in order. */
function reassemble(items: { account: string; value: string }[], account: string): string {
  const byAccount = new Map(items.map((item) => [item.account, item.value]));
  const head = decodeHead(byAccount.get(account) ?? '');
  assert.ok(head, 'the head is ours');
  return [head.data, ...extraPartAccounts(account, head).map((a) => byAccount.get(a))].join('');
}

test('a short value is one item; a long one is parts written before the head', () => {
  const short = encodeValue('c/rs', '{"a":1}', 'abcd1234');
  assert.deepEqual(short, [{ account: 'c/rs', value: 'nl1 - 1\n{"a":1}' }]);
  const text = asciiJson({ scope: 'x'.repeat(5000) });
  const items = encodeValue('c/rs', text, 'abcd1234');
  assert.ok(items.length >= 5);
  assert.equal(items.at(-1)?.account, 'c/rs', 'the head comes last');
  assert.equal(items[0]?.account, 'c/rs#abcd1234#2');
  for (const item of items) {
    // Windows stores the UTF-16 password: 2 bytes a character, 2,560 bytes at most.
    assert.ok(Buffer.byteLength(item.value, 'utf16le') <= 2560, `${item.account} fits`);
    assert.ok(item.value.length <= ITEM_CHARS);
  }
  assert.equal(reassemble(items, 'c/rs'), text);
});

test('asciiJson escapes everything past ASCII, so cutting anywhere splits no character', () => {
  const value = { scope: 'é✓😀 plain' };
  const text = asciiJson(value);
  assert.match(text, /^[\x20-\x7e]*$/);
  assert.deepEqual(JSON.parse(text), value);
  const items = encodeValue('c/rs', asciiJson({ s: '😀'.repeat(800) }), 'ffff0000');
  assert.deepEqual(JSON.parse(reassemble(items, 'c/rs')), { s: '😀'.repeat(800) });
});

test('a value without our head is not a head (read whole); the index lists what it can', () => {
  assert.equal(decodeHead('{"access_token":"x"}'), undefined);
  assert.equal(decodeHead('nl1 zz 1\n{}'), undefined);
  assert.deepEqual(decodeIndex(encodeIndex(['b', 'a', 'b'])), ['a', 'b']);
  assert.deepEqual(decodeIndex('not json'), []);
  assert.deepEqual(decodeIndex('{"resource_servers":["a",3]}'), ['a']);
  assert.deepEqual(decodeIndex(undefined), []);
});

test('client ids that could make two accounts collide are refused', () => {
  assert.ok(isValidKeyringClientId('5b2b0e1c-7c8e-4a4c-9a5e-2b4f8f6f1a11'));
  for (const bad of ['', 'a/b', 'a#b', 'a\nb']) assert.equal(isValidKeyringClientId(bad), false);
});
