/**
 * globus-sdk's JSON token file, format 2.0 (`{"data": {namespace: {rs: entry}},
 * "format_version": "2.0", "globus-sdk.version": …}`), read and checked as globus-sdk's
 * JSONTokenStorage `_load()` does; a 1.0 file (`by_rs`) is upgraded as Python upgrades it.
 * The entries are globus-app-entries.ts. Pure.
 */
import { TokenFileCorrupt, UnsupportedTokenFileVersion } from '../../errors.js';
import { type PyJson, type PyObject, parsePythonJson } from './python-json.js';

/** The format this module writes, and the ones it reads (as globus-sdk's JSONTokenStorage). */
export const GLOBUS_APP_FORMAT_VERSION = '2.0';
const SUPPORTED = ['1.0', '2.0'];
/**
 * Written as `globus-sdk.version` in a new file (an existing file keeps its own): the
 * globus-sdk release whose file layout this is; Python only checks that it is a string.
 */
export const GLOBUS_SDK_VERSION_WRITTEN = '3.65.0';
/** The namespace GlobusApp uses (it cannot be changed there). */
export const DEFAULT_NAMESPACE = 'DEFAULT';

/** A parsed token file: the root object, as Python would hold it after `_load()`. */
export type GlobusAppDocument = { root: PyObject };

/** A file that is not (or not yet) JSON: maybe a Python write caught half-way. */
export class TornOrDamagedJson extends TokenFileCorrupt {
  constructor(message: string, options: { filename: string; line: number }) {
    super(message, options);
    this.name = 'TokenFileCorrupt'; // to the user it is a damaged file like any other
  }
}

/** A fresh document, laid out as Python's `_load()` skeleton for a missing file. */
export function emptyDocument(): GlobusAppDocument {
  return {
    root: new Map<string, PyJson>([
      ['data', new Map()],
      ['format_version', GLOBUS_APP_FORMAT_VERSION],
      ['globus-sdk.version', GLOBUS_SDK_VERSION_WRITTEN],
    ]),
  };
}

/**
 * Parses a token file as globus-sdk's `_load()` + `_handle_formats()` do. Not JSON (empty,
 * half written) → TornOrDamagedJson; JSON of the wrong shape → TokenFileCorrupt; a
 * `format_version` other than 1.0 or 2.0 → UnsupportedTokenFileVersion.
 */
export function parseGlobusAppDocument(text: string, filename: string): GlobusAppDocument {
  let root: PyJson;
  try {
    root = parsePythonJson(text);
  } catch (error) {
    const offset = (error as { offset?: number }).offset ?? text.length;
    const line = text.slice(0, offset).split('\n').length;
    throw new TornOrDamagedJson(`${filename} is damaged: it is not valid JSON at line ${line}.`, {
      filename,
      line,
    });
  }
  const damaged = (why: string) =>
    new TokenFileCorrupt(`${filename} is damaged: ${why}.`, { filename });
  if (!(root instanceof Map)) throw damaged('it is not a JSON object');
  const version = root.get('format_version');
  if (typeof version !== 'string' || !SUPPORTED.includes(version)) {
    throw new UnsupportedTokenFileVersion(
      `${filename} is in token file format ${version === undefined ? '(none)' : JSON.stringify(version)}; only 1.0 and 2.0 can be read.`,
      { filename, version: typeof version === 'string' ? version : undefined },
    );
  }
  if (version === '1.0') {
    const byRs = root.get('by_rs');
    if (byRs === undefined) throw damaged("format 1.0 without 'by_rs'");
    // Python's upgrade: everything under DEFAULT, other top-level keys dropped.
    root = new Map<string, PyJson>([
      ['data', new Map([[DEFAULT_NAMESPACE, byRs]])],
      ['format_version', GLOBUS_APP_FORMAT_VERSION],
      ['globus-sdk.version', GLOBUS_SDK_VERSION_WRITTEN],
    ]);
  }
  if (!(root.get('data') instanceof Map)) throw damaged("'data' is not an object");
  if (typeof root.get('globus-sdk.version') !== 'string') {
    throw damaged("'globus-sdk.version' is missing or not a string");
  }
  return { root };
}

/** Serialises a document as globus-sdk's `json.dump` does (byte for byte). */
export { dumpPythonJson as serializeGlobusAppDocument } from './python-json.js';
