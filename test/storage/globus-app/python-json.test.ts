import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  dumpPythonJson,
  floatRepr,
  PyFloat,
  PyInt,
  parsePythonJson,
} from '../../../src/storage/globus-app/python-json.js';
import { run } from '../storage-test-kit.js';

const PEER = 'test/fixtures/globus-app-python.py';

/** What Python's json.dumps(json.loads(text)) gives for each text, or null where it refuses. */
async function pythonNormalize(texts: string[]): Promise<(string | null)[]> {
  const result = await run('python3', [PEER, 'normalize'], JSON.stringify(texts));
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

const ACCEPTED = [
  '{"b": 1, "a": 2, "0": 3, "__proto__": {"x": [1, 2.5, -0, -0.0, 1e400, -1E-7]}}',
  '{"a": 1, "a": 2, "b": 3}',
  '  {"big": 123456789012345678901234567890, "f": 1.0, "g": 1e16, "h": 1e15, "i": 0.0001}\n',
  '{"e": 1.5e-5, "k": 12345.678, "n": NaN, "inf": Infinity, "ninf": -Infinity, "z": 5E+20}',
  '{"s": "\\u00e9\\ud83d\\ude00 \\ud800 caf\u00e9 \u{1F600} \\/ \\b\\f\\n\\r\\t \\"q\\" \\\\ \u007f"}',
  '[true, false, null, [], {}, "", [[]], {"": {}}]',
  '{"format_version": "2.0", "data": {"DEFAULT": {}}, "globus-sdk.version": "3.65.0"}',
  '0.1',
  '"just a string"',
  '{"x": 0.30000000000000004, "y": 5e-324, "z": 1.7976931348623157e308, "w": 100.0}',
];

const REFUSED = [
  '',
  '{',
  '{"a": 1',
  '{"a": 1,}',
  '[1, 2',
  "{'a': 1}",
  '{"a": 01}',
  '{"a": "tab\there"}',
  '{"a": "\\x"}',
  '{"a": 1} x',
  '\ufeff{}',
  '{"a": .5}',
  '{"a": -}',
  '{"a": +1}',
  '{"a": "\\u12"}',
];

describe('python-json: reads and writes JSON as Python does', () => {
  test('parse then dump gives the bytes json.dumps gives, for what Python accepts', async () => {
    const expected = await pythonNormalize(ACCEPTED);
    ACCEPTED.forEach((text, i) => {
      assert.notEqual(expected[i], null, `python3 accepts ${text}`);
      assert.equal(dumpPythonJson(parsePythonJson(text)), expected[i], text);
    });
  });

  test('what Python refuses is refused, with a position and without echoing the text', async () => {
    const python = await pythonNormalize(REFUSED);
    REFUSED.forEach((text, i) => {
      assert.equal(python[i], null, `python3 refuses ${JSON.stringify(text)}`);
      assert.throws(
        () => parsePythonJson(text),
        (error: Error & { offset?: number }) =>
          typeof error.offset === 'number' && !error.message.includes('here'),
        JSON.stringify(text),
      );
    });
  });

  test('ints and floats stay apart; keys keep their order; a repeated key keeps its first place', () => {
    const parsed = parsePythonJson('{"b": 1, "a": 1.0, "b": 3}') as Map<string, unknown>;
    assert.deepEqual([...parsed.keys()], ['b', 'a']);
    assert.ok(parsed.get('b') instanceof PyInt);
    assert.equal((parsed.get('b') as PyInt).digits, '3');
    assert.ok(parsed.get('a') instanceof PyFloat);
  });

  test('float repr matches Python for many random doubles', async () => {
    const values: number[] = [];
    const view = new DataView(new ArrayBuffer(8));
    let seed = 12345;
    for (let i = 0; i < 400; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      view.setUint32(0, seed * 2);
      view.setUint32(4, (seed * 7919) >>> 0);
      const value = view.getFloat64(0);
      if (Number.isFinite(value)) values.push(value);
      values.push(seed / 1000, seed * 1e10, 1 / (seed + 1), -seed * 1e-12);
    }
    const text = `[${values.map((v) => floatRepr(v)).join(', ')}]`;
    assert.deepEqual(await pythonNormalize([text]), [text]);
  });

  test('deep nesting is refused instead of overflowing the stack', () => {
    assert.throws(() => parsePythonJson(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), /deeply/);
  });
});
