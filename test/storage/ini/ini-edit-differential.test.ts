import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenFileCorrupt, TokenStorageError } from '../../../src/errors.js';
import { removeSection, updateSections } from '../../../src/storage/ini/ini-edit.js';
import { type IniDocument, parseIni, serializeIni } from '../../../src/storage/ini/ini-format.js';
import { below, mulberry32 } from '../../reliability/prng.js';

const F = '/tmp/differential.cfg';
const SEED = 20261127;

// Edits check only the lines they rewrite (ini-splice.ts). This holds that shortcut to the
// full truth: whatever an edit returns must be exactly what parsing its text gives, and it
// must hold what was asked; a refused edit must be one whose full result is wrong.
function randomFile(random: () => number): string {
  const pieces = ['', '# note', '; other', '  ', 'k = v', 'k2: w', '\tcontinued', 'a = 1%%'];
  let text = '';
  const sections = 1 + below(random, 5);
  for (let s = 0; s < sections; s += 1) {
    text += `${below(random, 8) === 0 ? ' ' : ''}[s${below(random, 4) === 0 ? s : s}]\n`;
    for (let l = below(random, 5); l > 0; l -= 1) {
      const piece = pieces[below(random, pieces.length)] ?? '';
      text += `${piece.replace('k', `k${below(random, 3)}`)}\n`;
    }
    if (below(random, 3) === 0) text += '\n';
  }
  return below(random, 4) === 0 ? text.replace(/\n$/, '') : text;
}

function shape(doc: IniDocument): unknown {
  return {
    lines: doc.lines.map((l) => [l.text, l.eol, l.kind]),
    sections: doc.sections.map((s) => [s.name, s.header, s.options]),
    defaults: doc.defaults,
  };
}

test('every edit equals a full re-parse of its result (seeded, 3,000 edits)', () => {
  const random = mulberry32(SEED);
  let applied = 0;
  let refused = 0;
  for (let round = 0; round < 3000; round += 1) {
    let doc: IniDocument;
    try {
      doc = parseIni(randomFile(random), F);
    } catch (error) {
      assert.ok(error instanceof TokenFileCorrupt);
      continue;
    }
    const names = ['s0', 's1', 's2', 'new', 'native-login:s1'];
    const edits = [0, 1].slice(0, 1 + below(random, 2)).map((i) => ({
      name: names[(below(random, names.length) + i) % names.length] as string,
      values: new Map(
        below(random, 4) === 0
          ? []
          : [[`k${below(random, 3)}`, below(random, 5) === 0 ? 'x%y' : 'v2']],
      ),
      remove: new Set(below(random, 2) === 0 ? [`k${below(random, 3)}`] : []),
      dropIfEmpty: below(random, 2) === 0,
    }));
    const uniqueNames = new Set(edits.map((e) => e.name));
    if (uniqueNames.size !== edits.length) continue;
    let after: IniDocument;
    try {
      after =
        below(random, 6) === 0
          ? removeSection(doc, edits[0]?.name ?? 's0', F)
          : updateSections(doc, edits, F);
    } catch (error) {
      assert.ok(error instanceof TokenStorageError, String(error));
      refused += 1;
      continue;
    }
    applied += 1;
    assert.deepEqual(
      shape(after),
      shape(parseIni(serializeIni(after), F)),
      `seed ${SEED} round ${round}`,
    );
  }
  assert.ok(applied > 1000, `only ${applied} edits applied (${refused} refused)`);
});
