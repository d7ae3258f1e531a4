/**
 * JSON as Python's `json` module reads and writes it, so a file globus-sdk wrote is written
 * back byte for byte: objects keep key order (a Map, so `"0"` or `__proto__` stay where they
 * were), ints keep every digit and stay apart from floats (GlobusApp refuses a float expiry),
 * `NaN`/`Infinity` are read, and `dumpPythonJson` matches `json.dump(obj, f)` with its
 * defaults (`", "` and `": "`, ASCII only, Python's float repr). Pure.
 */

/** A JSON integer, as its decimal digits (Python ints have no size limit). */
export class PyInt {
  readonly digits: string;
  constructor(digits: string) {
    this.digits = digits;
  }
}

/** A JSON number with a fraction or exponent: a Python float. */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

/** A JSON value as Python holds it. */
export type PyJson = null | boolean | string | PyInt | PyFloat | PyJson[] | PyObject;
/** A JSON object: insertion order kept, a repeated key keeps its first place and last value. */
export type PyObject = Map<string, PyJson>;

/** Text that Python's `json.loads` refuses; `offset` is where (a UTF-16 index). */
export class PythonJsonSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const SPACE = /[ \t\n\r]*/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const MAX_DEPTH = 500;

/** Parses like `json.loads` (strict): the messages name a position, never the text. */
export function parsePythonJson(text: string): PyJson {
  let at = 0;
  const fail = (what: string): never => {
    throw new PythonJsonSyntaxError(what, at);
  };
  const skip = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const string = (): string => {
    let out = '';
    at++; // the opening quote
    for (;;) {
      const start = at;
      while (at < text.length && text[at] !== '"' && text[at] !== '\\' && text[at]! >= ' ') at++;
      out += text.slice(start, at);
      const char = text[at];
      if (char === '"') {
        at++;
        return out;
      }
      if (char !== '\\') return fail('Unterminated string or control character in string');
      const code = text[at + 1] ?? '';
      if (code === 'u') {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail('Invalid \\uXXXX escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        at += 6;
      } else {
        const escaped = ESCAPES[code];
        if (escaped === undefined) return fail('Invalid \\escape');
        out += escaped;
        at += 2;
      }
    }
  };
  const value = (depth: number): PyJson => {
    if (depth > MAX_DEPTH) return fail('Nested too deeply');
    skip();
    const char = text[at];
    if (char === '"') return string();
    if (char === '{') return object(depth);
    if (char === '[') return array(depth);
    for (const [word, result] of WORDS) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result();
      }
    }
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (!match) return fail('Expecting value');
    at = NUMBER.lastIndex;
    if (match[1] === undefined && match[2] === undefined) {
      return new PyInt(match[0] === '-0' ? '0' : match[0]);
    }
    return new PyFloat(Number(match[0]));
  };
  const object = (depth: number): PyObject => {
    const out: PyObject = new Map();
    at++;
    skip();
    if (text[at] === '}') {
      at++;
      return out;
    }
    for (;;) {
      skip();
      if (text[at] !== '"') return fail('Expecting property name enclosed in double quotes');
      const key = string();
      skip();
      if (text[at] !== ':') return fail("Expecting ':' delimiter");
      at++;
      out.set(key, value(depth + 1));
      skip();
      if (text[at] === '}') {
        at++;
        return out;
      }
      if (text[at] !== ',') return fail("Expecting ',' delimiter");
      at++;
    }
  };
  const array = (depth: number): PyJson[] => {
    const out: PyJson[] = [];
    at++;
    skip();
    if (text[at] === ']') {
      at++;
      return out;
    }
    for (;;) {
      out.push(value(depth + 1));
      skip();
      if (text[at] === ']') {
        at++;
        return out;
      }
      if (text[at] !== ',') return fail("Expecting ',' delimiter");
      at++;
    }
  };
  const result = value(0);
  skip();
  if (at !== text.length) fail('Extra data');
  return result;
}

const WORDS: readonly (readonly [string, () => PyJson])[] = [
  ['null', () => null],
  ['true', () => true],
  ['false', () => false],
  ['NaN', () => new PyFloat(Number.NaN)],
  ['Infinity', () => new PyFloat(Number.POSITIVE_INFINITY)],
  ['-Infinity', () => new PyFloat(Number.NEGATIVE_INFINITY)],
];

/** Serialises like `json.dump(value, f)` with Python's defaults (no newline at the end). */
export function dumpPythonJson(value: PyJson): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return quote(value);
  if (value instanceof PyInt) return value.digits;
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(dumpPythonJson).join(', ')}]`;
  const parts: string[] = [];
  for (const [key, item] of value) parts.push(`${quote(key)}: ${dumpPythonJson(item)}`);
  return `{${parts.join(', ')}}`;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** `ensure_ascii=True`: printable ASCII as is, the rest as \uXXXX per UTF-16 unit. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]|[^ -~]/g, (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Python's `float.__repr__` (shortest round-trip digits), with json's NaN/Infinity. */
export function floatRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without digits gives the shortest digits that round-trip, as repr does.
  const [mantissa = '', exp = '0'] = value.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/[-.]/g, '');
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const power = String(Math.abs(exponent)).padStart(2, '0');
    return `${sign}${head}e${exponent < 0 ? '-' : '+'}${power}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}
