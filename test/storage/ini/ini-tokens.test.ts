import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { TokenFileCorrupt, TokenStorageError } from '../../../src/errors.js';
import { parseIni, serializeIni } from '../../../src/storage/ini/ini-format.js';
import { tokenFingerprint } from '../../../src/storage/ini/ini-identities.js';
import {
  clearSectionTokens,
  writeSectionTokens,
} from '../../../src/storage/ini/ini-token-edits.js';
import { readSectionTokens } from '../../../src/storage/ini/ini-tokens.js';
import { FAR_EXPIRY } from '../../helpers/clock.js';
import { PYTHON_FIXTURE, tokenGroup } from '../storage-test-kit.js';

const F = '/tmp/t.cfg';
const A = '7414f0b4-7d05-4bb6-bb00-076fa3f17cf5';
const B = '0a5c9a2e-3b7e-4a43-9d61-2f3c3c4b5d6e';

function write(text: string, section: string, ...groups: ReturnType<typeof tokenGroup>[]): string {
  const tokens = Object.fromEntries(groups.map((g) => [g.resource_server, g]));
  return serializeIni(writeSectionTokens(parseIni(text, F), section, tokens, F));
}

function sectionText(text: string, name: string): string {
  const start = text.indexOf(`[${name}]`);
  const next = text.indexOf('\n[', start + 1);
  return text.slice(start, next === -1 ? undefined : next);
}

describe('tokenFingerprint', () => {
  /** 64-bit FNV-1a over the UTF-8 bytes, as the first versions computed it (files hold it). */
  function reference(text: string): string {
    let hash = 0xcbf29ce484222325n;
    for (const byte of new TextEncoder().encode(text)) {
      hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
    }
    return hash.toString(16).padStart(16, '0');
  }

  test('is 64-bit FNV-1a of the UTF-8 bytes, the value files written before hold', () => {
    // The published FNV-1a 64 test vectors, then tokens of every length up to 300.
    assert.equal(tokenFingerprint(''), 'cbf29ce484222325');
    assert.equal(tokenFingerprint('a'), 'af63dc4c8601ec8c');
    assert.equal(tokenFingerprint('foobar'), '85944171f73967e8');
    const alphabet = 'AgX8wc5dFLOy0sF3tM25LgKtU6xcpbuf8u2rBM91EWkYS8Lr-_.~é…🔑\u0000\uffff';
    let token = '';
    for (let length = 0; length <= 300; length++) {
      assert.equal(tokenFingerprint(token), reference(token), JSON.stringify(token));
      token += alphabet[(length * 7) % alphabet.length];
    }
  });
});

describe('readSectionTokens / writeSectionTokens / clearSectionTokens', () => {
  test('writing what is stored changes no byte; a change leaves the other section intact', async () => {
    const text = await readFile(PYTHON_FIXTURE, 'utf8');
    const doc = parseIni(text, F);
    const stored = readSectionTokens(doc, B, F);
    assert.equal(serializeIni(writeSectionTokens(doc, B, stored, F)), text);
    const auth = stored['auth.globus.org'];
    assert.ok(auth);
    const changed = write(text, B, { ...auth, access_token: 'fakeAT.new%', refresh_token: 'RT' });
    assert.equal(sectionText(changed, A), sectionText(text, A));
    assert.match(changed, /^auth_globus_org__access_token = fakeAT\.new%%$/m);
    assert.equal(changed.split('\n').length, text.split('\n').length, 'replaced in place');
    assert.deepEqual(
      readSectionTokens(parseIni(changed, F), B, F)['auth.globus.org']?.refresh_token,
      'RT',
    );
  });

  test("a new resource server goes after the section's last key; a new section at the end", () => {
    const text = '# my tokens\n[other]\nfoo = bar\n\n[s]\n# note\n\n';
    const withX = write(text, 's', tokenGroup('x'));
    assert.ok(withX.startsWith('# my tokens\n[other]\nfoo = bar\n\n[s]\nx__scope = urn'));
    const withY = write(withX, 's', tokenGroup('y.z'));
    assert.match(withY, /x__resource_server = x\ny_z__scope = .*\n(?:.*\n){5}# note\n\n$/);
    const fresh = write('', 'new', tokenGroup('a.b', { refresh_token: null }));
    assert.equal(
      fresh,
      '[new]\na_b__scope = urn:globus:auth:scope:a.b:all\na_b__access_token = fakeAT.a.b\n' +
        `a_b__refresh_token = \na_b__token_type = Bearer\na_b__expires_at_seconds = ${FAR_EXPIRY}\n` +
        'a_b__resource_server = a.b\n\n',
    );
    assert.ok(write('[o]\nk = v', 'n', tokenGroup('a')).startsWith('[o]\nk = v\n\n[n]\n'));
    assert.ok(
      write('[o]\r\nk = v\r\n', 'n', tokenGroup('a')).startsWith('[o]\r\nk = v\r\n\r\n[n]\r\n'),
    );
  });

  test('indented keys keep their indentation; a group replaces the old one whole', () => {
    const text =
      '[s]\n  a__scope = old\n  a__access_token = old\n  a__expires_at_seconds = 1\n  a__resource_server = a\n  a__colour_is_not_here = 0\n';
    assert.throws(() => write(text, 's', tokenGroup('a')), TokenFileCorrupt);
    const clean = text.replace(/.*colour.*\n/, '');
    const out = write(clean, 's', tokenGroup('a'));
    assert.match(out, /^ {2}a__scope = urn/m);
    assert.match(out, /^ {2}a__refresh_token = fakeRT\.a$/m);
    assert.equal(readSectionTokens(parseIni(out, F), 's', F)['a']?.access_token, 'fakeAT.a');
  });

  test('a group stored under keys of another name is damage; keys two names share are refused', () => {
    const text =
      '[s]\nlegacy__scope = x\nlegacy__access_token = y\nlegacy__expires_at_seconds = 1\nlegacy__resource_server = a.b\n';
    assert.throws(() => write(text, 's', tokenGroup('a.b')), /names another resource server/);
    const clash =
      '[s]\na_b__scope = x\na_b__access_token = y\na_b__expires_at_seconds = 1\na_b__resource_server = a_b\n';
    assert.throws(() => write(clash, 's', tokenGroup('a.b')), /would share keys/);
  });

  test('clearing removes the section only; comments after it stay', () => {
    const text =
      '[a]\nk = v\n\n[s]\nx__scope = s\nx__access_token = t\nx__expires_at_seconds = 1\nx__resource_server = x\n\n# about c\n[c]\nj = 1\n';
    const out = serializeIni(clearSectionTokens(parseIni(text, F), 's', F));
    assert.equal(out, '[a]\nk = v\n\n# about c\n[c]\nj = 1\n');
    assert.equal(serializeIni(clearSectionTokens(parseIni(text, F), 'none', F)), text);
  });

  test('[DEFAULT] keys, bad % and damaged groups are TokenFileCorrupt; writes refuse them', () => {
    const cases: [string, number, RegExp][] = [
      ['[DEFAULT]\nx__scope = s\n[s]\n', 2, /\[DEFAULT\]/],
      ['[s]\nx__scope = 5%\n', 2, /"x__scope" has a "%"/],
      ['[s]\nx__scope = %(home)s\n', 2, /interpolation is not supported/],
      ['[s]\nx__scope = s\n', 2, /missing required fields/],
    ];
    for (const [text, line, words] of cases) {
      for (const action of [
        () => readSectionTokens(parseIni(text, F), 's', F),
        () => write(text, 's', tokenGroup('x')),
        () => clearSectionTokens(parseIni(text, F), 's', F),
      ]) {
        assert.throws(action, (error: unknown) => {
          assert.ok(error instanceof TokenFileCorrupt, String(error));
          assert.equal(error.line, line);
          assert.match(error.message, words);
          return true;
        });
      }
    }
    // A damaged value in another section is Python's problem only when it reads that section.
    assert.deepEqual(readSectionTokens(parseIni('[o]\nk = 5%\n[s]\n', F), 's', F), {});
  });

  test('refuses an edit that would change how the file reads, or a value that would not survive', () => {
    const tricky = '[s]\n  [next]\nk = v\n';
    assert.throws(
      () => write(tricky, 's', tokenGroup('x')),
      (error: unknown) => {
        assert.ok(error instanceof TokenStorageError);
        assert.match(error.message, /rest of the file would read differently|would not parse/);
        return true;
      },
    );
    assert.throws(() => write('', 's', tokenGroup('x', { scope: ' padded' })), /read back exactly/);
  });

  test('identities live in [native-login:<section>], bound to the access token', () => {
    const withId = write('', 's', tokenGroup('a.b', { identity_id: 'id-1' }), tokenGroup('c'));
    assert.doesNotMatch(sectionText(withId, 's'), /identity/);
    assert.match(
      sectionText(withId, 'native-login:s'),
      /^\[native-login:s\]\na_b__identity_id = id-1\na_b__access_token_fingerprint = [0-9a-f]{16}\n\n$/,
    );
    const read = readSectionTokens(parseIni(withId, F), 's', F);
    assert.equal(read['a.b']?.identity_id, 'id-1');
    assert.equal(read['c']?.identity_id, undefined);
    // Another program (Python) rewrote the token: the old identity no longer applies.
    const rewritten = withId.replace('a_b__access_token = fakeAT.a.b', 'a_b__access_token = other');
    assert.equal(readSectionTokens(parseIni(rewritten, F), 's', F)['a.b']?.identity_id, undefined);
    const withoutId = write(withId, 's', tokenGroup('a.b'));
    assert.doesNotMatch(withoutId, /native-login:s/);
    const cleared = serializeIni(clearSectionTokens(parseIni(withId, F), 's', F));
    assert.equal(cleared, '');
  });
});
