// The fast read of a token file in the usual written form (bench/ (c)) must give exactly what
// parseIni's `only` mode gives, and must step aside (undefined) for every text it cannot prove
// clean and usual, so that the full parser reports damage with its own words and line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FAST_READ_MIN_LENGTH,
  readCheckedSections,
  readUsualForm,
} from '../../../src/storage/ini/ini-fast-read.js';
import { parseIni } from '../../../src/storage/ini/ini-format.js';

const F = '/tmp/x.cfg';
const ONLY = new Set(['mine', 'native-login:mine', 'absent']);

/** A token file as fair-research-login and native-login write it: `others` clients around ours. */
function usualFile(others: number): string {
  const section = (name: string) => [
    `[${name}]`,
    'auth_globus_org__scope = openid profile email',
    `auth_globus_org__access_token = at-${name}`,
    'auth_globus_org__expires_at_seconds = 1700000000',
    'transfer_api_globus_org__refresh_token = ',
    '',
  ];
  const lines = ['# written by a test', ''];
  // Past FAST_READ_MIN_LENGTH whatever `others` is: 400 more clients after them.
  for (let i = 0; i < others + 400; i++) {
    lines.push(...section(`client-${i}`));
    if (i === Math.floor(others / 2)) {
      lines.push(...section('mine'), '[native-login:mine]', 'x__identity_id = abc', '');
    }
  }
  return lines.join('\n');
}

describe('readUsualForm: the usual written form, fast', () => {
  test('gives what parseIni gives with `only` (sections, options, line numbers)', () => {
    for (const text of [usualFile(1), usualFile(7), usualFile(40), `${usualFile(3)}\n\n`]) {
      const fast = readUsualForm(text, F, ONLY);
      assert.ok(fast, 'a usual file takes the fast path');
      assert.deepEqual(fast, parseIni(text, F, { only: ONLY }));
      assert.equal(fast.sections.length, 2);
    }
  });

  test('from the bytes of a checked file: the same sections, lines counted from each header', () => {
    for (const text of [usualFile(1), usualFile(40), usualFile(2000)]) {
      const bytes = Buffer.from(text, 'latin1');
      // From a view into a larger buffer too, as a read in blocks may give.
      const view = new Uint8Array(
        Buffer.concat([Buffer.from('xx'), bytes]).buffer,
        2,
        bytes.length,
      );
      // What a full parse gives, with each section moved to line 0.
      const expected = parseIni(text, F, { only: ONLY }).sections.map((section) => ({
        ...section,
        header: 0,
        options: section.options.map((option) => ({
          ...option,
          first: option.first - section.header,
          last: option.last - section.header,
        })),
      }));
      assert.equal(expected.length, 2);
      for (const source of [bytes, view]) {
        assert.deepEqual(readCheckedSections(source, F, ONLY)?.sections, expected);
      }
    }
    // A name that is not printable ASCII is in no checked file (and its latin1 bytes could
    // match another): the caller reads the file the long way.
    const text = usualFile(3).replace('[mine]', '[a]');
    assert.equal(readCheckedSections(Buffer.from(text), F, new Set(['\u0161'])), undefined);
    assert.equal(readCheckedSections(Buffer.from(text), F, new Set(['a']))?.sections.length, 1);
  });

  test('a file without our sections reads as empty, the same way', () => {
    const text = usualFile(5).replace('[mine]', '[theirs]').replace('[native-login:mine]', '[x]');
    assert.deepEqual(readUsualForm(text, F, ONLY), parseIni(text, F, { only: ONLY }));
  });

  test('a small file is left to the full parser', () => {
    const small = usualFile(0).slice(0, FAST_READ_MIN_LENGTH - 1);
    assert.equal(readUsualForm(small.slice(0, small.lastIndexOf('\n[')), F, ONLY), undefined);
    assert.equal(readUsualForm('', F, ONLY), undefined);
    assert.ok(usualFile(0).length >= FAST_READ_MIN_LENGTH, 'the other tests take the fast path');
  });

  test('steps aside for anything unusual, damaged or not', () => {
    const base = usualFile(6);
    const cases: Record<string, string> = {
      'CRLF line breaks': base.replaceAll('\n', '\r\n'),
      'a tab': base.replace('openid profile', 'openid\tprofile'),
      'non-ASCII text': base.replace('openid', 'öpenid'),
      'a byte-order mark': `\uFEFF${base}`,
      'an indented continuation line': base.replace('openid profile email', 'openid\n  profile'),
      'an upper-case key': base.replace('auth_globus_org__scope', 'AUTH_globus_org__scope'),
      'key=value without spaces': base.replace(' = openid', '=openid'),
      'a colon delimiter': base.replace('auth_globus_org__scope =', 'auth_globus_org__scope:'),
      'a [DEFAULT] section': `[DEFAULT]\nshared = 1\n${base}`,
      'a section twice': `${base}\n[client-1]\na = 1\n`,
      'a key twice in a section left out': base.replace(
        'auth_globus_org__access_token = at-client-2',
        'auth_globus_org__access_token = at-client-2\nauth_globus_org__access_token = again',
      ),
      'a key before any header': `stray = 1\n${base}`,
      'a line that is no key = value': base.replace('[client-3]', '[client-3]\nnot an option'),
      'an empty header': base.replace('[client-3]', '[]'),
      'a line of spaces': base.replace('\n\n', '\n   \n'),
    };
    for (const [what, text] of Object.entries(cases)) {
      assert.equal(readUsualForm(text, F, ONLY), undefined, what);
    }
  });

  test('a key repeated in another section is no duplicate', () => {
    const text = usualFile(4);
    assert.ok(readUsualForm(text, F, ONLY));
  });

  test('comments before the first header, and a file with no final line break, are usual', () => {
    const text = `; one\n# two\n\n${usualFile(2).replace(/\n+$/, '')}`;
    const fast = readUsualForm(text, F, ONLY);
    assert.ok(fast);
    assert.deepEqual(fast, parseIni(text, F, { only: ONLY }));
  });
});
