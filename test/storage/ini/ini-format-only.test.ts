// parseIni's read-only mode (`only`): the kept sections come out exactly as a full parse gives
// them, and a damaged line anywhere (kept section or not) fails the same way at the same line.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TokenFileCorrupt } from '../../../src/errors.js';
import { parseIni } from '../../../src/storage/ini/ini-format.js';

const F = '/tmp/x.cfg';

const TEXT = [
  '# a comment',
  '[DEFAULT]',
  'shared = 1',
  '[other]',
  'a = 1',
  'long = first',
  '',
  '    continued after an empty line',
  '[mine]',
  'KEY: value with spaces  ',
  'multi = one',
  '\ttwo',
  '; comment inside',
  'pct = 100%%',
  '[native-login:mine]',
  'x__identity_id = abc',
  '[last]',
  'z = 26',
  '',
].join('\r\n');

function failure(run: () => unknown): { line: number; message: string } {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TokenFileCorrupt, String(error));
    return { line: error.line ?? -1, message: error.message };
  }
  assert.fail('expected a TokenFileCorrupt');
}

describe('parseIni with only: some sections, the same checks', () => {
  test('kept sections and [DEFAULT] are those of a full parse; the rest is left out', () => {
    const full = parseIni(TEXT, F);
    const only = new Set(['mine', 'native-login:mine', 'absent']);
    const light = parseIni(TEXT, F, { only });
    assert.deepEqual(
      light.sections,
      full.sections.filter((section) => only.has(section.name)),
    );
    assert.deepEqual(light.defaults, full.defaults);
    assert.deepEqual(light.lines, []);
    assert.equal(light.text, TEXT);
    assert.equal(light.sections[0]?.options.find((o) => o.key === 'multi')?.raw, 'one\ntwo');
  });

  test('damage in a section that is left out fails exactly as a full parse does', () => {
    const only = new Set(['mine']);
    for (const damaged of [
      TEXT.replace('a = 1', 'a = 1\r\na = 2'), // duplicate key in [other]
      TEXT.replace('z = 26', 'no delimiter here'),
      TEXT.replace('[last]', '[other]'), // duplicate section
      `stray\n${TEXT}`, // text before the first header
      TEXT.replace('z = 26', ' = no key'),
    ]) {
      assert.deepEqual(
        failure(() => parseIni(damaged, F, { only })),
        failure(() => parseIni(damaged, F)),
      );
    }
  });

  test('a continuation of a left-out option is not mistaken for a key', () => {
    // Read as a key, the indented line would be a duplicate and fail the whole file.
    const text = '[other]\nkey = a\n  key = again\n[mine]\nk = v\n';
    assert.deepEqual(parseIni(text, F, { only: new Set(['mine']) }).sections, [
      { name: 'mine', header: 3, options: [{ key: 'k', raw: 'v', first: 4, last: 4 }] },
    ]);
  });
});
