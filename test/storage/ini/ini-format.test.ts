import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { TokenFileCorrupt } from '../../../src/errors.js';
import {
  escapeValue,
  type IniDocument,
  interpolate,
  parseIni,
  serializeIni,
  splitLines,
} from '../../../src/storage/ini/ini-format.js';
import { pyStrip } from '../../../src/storage/ini/python-whitespace.js';
import { PYTHON_FIXTURE } from '../storage-test-kit.js';

const F = '/tmp/x.cfg';

function values(doc: IniDocument, name: string): Record<string, string> {
  const section = doc.sections.find((s) => s.name === name);
  assert.ok(section, `section ${name}`);
  return Object.fromEntries(section.options.map((o) => [o.key, o.raw]));
}

function corruptAt(text: string, line: number, words: RegExp): void {
  assert.throws(
    () => parseIni(text, F),
    (error: unknown) => {
      assert.ok(error instanceof TokenFileCorrupt);
      assert.equal(error.filename, F);
      assert.equal(error.line, line);
      assert.match(error.message, words);
      assert.match(error.message, /\/tmp\/x\.cfg/);
      return true;
    },
  );
}

describe('parseIni / serializeIni', () => {
  test('the Python fixture parses and serialises byte for byte', async () => {
    const text = await readFile(PYTHON_FIXTURE, 'utf8');
    const doc = parseIni(text, PYTHON_FIXTURE);
    assert.equal(serializeIni(doc), text);
    assert.deepEqual(
      doc.sections.map((s) => s.name),
      ['7414f0b4-7d05-4bb6-bb00-076fa3f17cf5', '0a5c9a2e-3b7e-4a43-9d61-2f3c3c4b5d6e'],
    );
    assert.equal(
      values(doc, '0a5c9a2e-3b7e-4a43-9d61-2f3c3c4b5d6e')['auth_globus_org__refresh_token'],
      '',
    );
  });

  test('keys are lower-cased, split at the first = or :, values stripped', () => {
    const doc = parseIni('[s]\nKey_A = v=1:2\nb:c = d\ne\t=   spaced out  \nf=\n  g = h\n', F);
    // An indented line continues the value above it, even when it looks like `key = value`.
    assert.deepEqual(values(doc, 's'), {
      key_a: 'v=1:2',
      b: 'c = d',
      e: 'spaced out',
      f: '\ng = h',
    });
  });

  test('only full-line # and ; are comments; ; and # inside values stay', () => {
    const text = '# top\n[s]\n; c1\n  # c2\na = x ; y # z\n';
    const doc = parseIni(text, F);
    assert.deepEqual(values(doc, 's'), { a: 'x ; y # z' });
    assert.equal(serializeIni(doc), text);
    assert.deepEqual(
      doc.lines.map((l) => l.kind),
      ['comment', 'header', 'comment', 'comment', 'option'],
    );
  });

  test('continuation lines join with \\n, including kept empty lines, not comments', () => {
    const doc = parseIni('[s]\nk = v1\n\n  cont\n# c\n  more\n\nj=2\n', F);
    assert.deepEqual(values(doc, 's'), { k: 'v1\n\ncont\nmore', j: '2' });
    const k = doc.sections[0]?.options[0];
    assert.equal(k?.first, 1);
    assert.equal(k?.last, 5);
  });

  test('a deeper-indented header is a continuation, as in Python', () => {
    const doc = parseIni('[a]\nk = v\n  [b]\nx=1\n', F);
    assert.deepEqual(values(doc, 'a'), { k: 'v\n[b]', x: '1' });
    assert.equal(doc.sections.length, 1);
  });

  test('header names are taken greedily up to the last ]', () => {
    const doc = parseIni('[a] trailing]x\nk=v\n', F);
    assert.equal(doc.sections[0]?.name, 'a] trailing');
  });

  test('CRLF and lone CR line breaks are kept byte for byte', () => {
    for (const text of ['[s]\r\na = 1\r\n\r\n', '[s]\ra = 1\r', '[s]\na = 1']) {
      const doc = parseIni(text, F);
      assert.deepEqual(values(doc, 's'), { a: '1' });
      assert.equal(serializeIni(doc), text);
    }
    for (const text of ['\r', '\r\r\n\n', 'x\ry\r\n', '\n\r', 'no break']) {
      assert.equal(
        splitLines(text)
          .map((l) => l.text + l.eol)
          .join(''),
        text,
      );
    }
    assert.deepEqual(
      splitLines('a\r\nb\rc\n\nd').map(({ text, eol }) => ({ text, eol })),
      [
        { text: 'a', eol: '\r\n' },
        { text: 'b', eol: '\r' },
        { text: 'c', eol: '\n' },
        { text: '', eol: '\n' },
        { text: 'd', eol: '' },
      ],
    );
  });

  test('[DEFAULT] options are kept apart from sections', () => {
    const doc = parseIni('[DEFAULT]\nx = 1\n[a]\nk = 2\n', F);
    assert.deepEqual(
      doc.defaults.map((o) => [o.key, o.raw]),
      [['x', '1']],
    );
    assert.deepEqual(values(doc, 'a'), { k: '2' });
  });

  test('damage is a TokenFileCorrupt with the line, never the text', () => {
    corruptAt('[s]\na = 1\n[s]\n', 3, /section \[s\] appears twice/);
    corruptAt('[s]\nK = 1\nk = 2\n', 3, /key "k" appears twice/);
    corruptAt('k = 1\n[s]\n', 1, /before the first \[section\]/);
    corruptAt('[s]\nsecret-token-value\n', 2, /not a "key = value" line/);
    corruptAt('[s]\n= orphan\n', 2, /not a "key = value" line/);
    corruptAt('\uFEFF[s]\na = 1\n', 1, /byte-order mark/);
    corruptAt('[s]\na = 1\n[cut-in-the-mid', 3, /not a "key = value" line/);
    try {
      parseIni('[s]\nsecret-token-value\n', F);
    } catch (error) {
      assert.doesNotMatch(String((error as Error).message), /secret/);
    }
  });

  test('an empty file has no sections; Python whitespace is stripped, U+FEFF inside is not', () => {
    assert.deepEqual(parseIni('', F), { text: '', lines: [], sections: [], defaults: [] });
    assert.equal(pyStrip('\x1c\x85 a\u3000'), 'a');
    assert.equal(pyStrip('\uFEFFa'), '\uFEFFa');
  });
});

describe('interpolate / escapeValue', () => {
  test('%% reads as %, a lone % and %(name)s are refused', () => {
    assert.deepEqual(interpolate('100%% sure'), { value: '100% sure' });
    assert.deepEqual(interpolate('a%%b%%'), { value: 'a%b%' });
    assert.deepEqual(interpolate('plain'), { value: 'plain' });
    assert.ok('error' in interpolate('%%%'));
    assert.deepEqual(interpolate('%%%%'), { value: '%%' });
    assert.ok('error' in interpolate('5%'));
    assert.ok('error' in interpolate('a%b'));
    assert.ok('error' in interpolate('%(home)s/x'));
  });

  test('escapeValue doubles % and indents line breaks as configparser writes them', () => {
    assert.equal(escapeValue('a%b'), 'a%%b');
    assert.equal(escapeValue('l1\nl2'), 'l1\n\tl2');
    const doc = parseIni(`[s]\nk = ${escapeValue('x%(y)s\nz')}\n`, F);
    assert.deepEqual(interpolate(values(doc, 's')['k'] ?? ''), { value: 'x%(y)s\nz' });
  });
});
