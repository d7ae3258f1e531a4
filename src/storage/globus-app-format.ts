/**
 * globus-sdk's JSON token file, format 2.0 (`{"data": {namespace: {rs: entry}},
 * "format_version": "2.0", "globus-sdk.version": …}`), with GlobusApp's rules for reading it
 * and its way of writing it: entry fields in `TokenStorageData` order, None left out, an int
 * expiry, everything the change does not touch kept as it was. A 1.0 file (`by_rs`) is
 * upgraded as Python upgrades it. Pure.
 */
import { IdentityMismatch, TokenFileCorrupt, UnsupportedTokenFileVersion } from '../errors.js';
import type { TokenGroup, TokensByResourceServer } from '../tokens/token-group.js';
import { PyInt, type PyJson, type PyObject, parsePythonJson } from './python-json.js';

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

/** The namespace's entries, as a Map (absent namespace → empty). */
function namespaceOf(doc: GlobusAppDocument, namespace: string, filename: string): PyObject {
  const data = doc.root.get('data') as PyObject;
  const entries = data.get(namespace);
  if (entries === undefined) return new Map();
  // Python would fail on .items() of anything else.
  if (!(entries instanceof Map)) {
    throw new TokenFileCorrupt(
      `${filename} is damaged: namespace "${namespace}" is not an object.`,
      {
        filename,
      },
    );
  }
  return entries;
}

/**
 * The tokens of `namespace`, checked as `TokenStorageData.from_dict` checks them; tokens of
 * two identities in one namespace are refused, as GlobusApp refuses them.
 */
export function readNamespace(
  doc: GlobusAppDocument,
  namespace: string,
  filename: string,
): TokensByResourceServer {
  const out = new Map<string, TokenGroup>();
  const identities = new Set<string>();
  for (const [key, entry] of namespaceOf(doc, namespace, filename)) {
    const group = entryToGroup(entry, key, filename);
    if (group.identity_id !== undefined) identities.add(group.identity_id);
    out.set(key, group);
  }
  if (identities.size > 1) {
    throw new IdentityMismatch(
      `${filename} holds tokens of ${identities.size} Globus identities in namespace "${namespace}"; GlobusApp refuses such a file.`,
    );
  }
  return Object.fromEntries(out);
}

function entryToGroup(entry: PyJson, key: string, filename: string): TokenGroup {
  const bad = (why: string) =>
    new TokenFileCorrupt(`${filename} is damaged: the entry "${key}" ${why}.`, { filename });
  if (!(entry instanceof Map)) throw bad('is not an object');
  const text = (field: string, optional: boolean): string | undefined => {
    const value = entry.get(field);
    if (typeof value === 'string') return value;
    if (optional && (value === undefined || value === null)) return undefined;
    throw bad(`has ${field} that is not a string`);
  };
  const expiry = entry.get('expires_at_seconds');
  if (!(expiry instanceof PyInt)) throw bad('has expires_at_seconds that is not an integer');
  const group: TokenGroup = {
    scope: text('scope', false) as string,
    access_token: text('access_token', false) as string,
    refresh_token: text('refresh_token', true) || null,
    token_type: 'Bearer',
    expires_at_seconds: Number(expiry.digits),
    resource_server: text('resource_server', false) as string,
  };
  const tokenType = text('token_type', true);
  if (tokenType !== undefined && tokenType !== 'Bearer')
    throw bad('has a token_type other than "Bearer"');
  if (group.resource_server !== key) throw bad('names another resource_server');
  const identity = text('identity_id', true);
  if (identity) group.identity_id = identity;
  return group;
}

/**
 * A copy of `doc` with `tokens` written into `namespace`: each entry replaced whole, in
 * `TokenStorageData.to_dict()` order, `identity_id` on every one (the group's, else the
 * identity already stored). Tokens of another identity are refused (IdentityMismatch).
 */
export function writeNamespace(
  doc: GlobusAppDocument,
  namespace: string,
  tokens: TokensByResourceServer,
  filename: string,
): GlobusAppDocument {
  const stored = readNamespace(doc, namespace, filename);
  const ids = new Set(
    [...Object.values(stored), ...Object.values(tokens)].flatMap((g) => g.identity_id ?? []),
  );
  if (ids.size > 1) {
    throw new IdentityMismatch(
      `These tokens belong to another Globus identity than the tokens in ${filename} (namespace "${namespace}").`,
    );
  }
  const [identity] = ids;
  const entries = new Map(namespaceOf(doc, namespace, filename));
  for (const group of Object.values(tokens)) {
    entries.set(group.resource_server, groupToEntry(group, identity));
  }
  return withNamespace(doc, namespace, entries);
}

/** A copy of `doc` whose `namespace` is empty (GlobusApp's logout leaves `{}` behind). */
export function clearNamespace(doc: GlobusAppDocument, namespace: string): GlobusAppDocument {
  const data = doc.root.get('data') as PyObject;
  return data.has(namespace) ? withNamespace(doc, namespace, new Map()) : doc;
}

function withNamespace(
  doc: GlobusAppDocument,
  namespace: string,
  entries: PyObject,
): GlobusAppDocument {
  const data = new Map(doc.root.get('data') as PyObject);
  data.set(namespace, entries);
  const root = new Map(doc.root);
  root.set('data', data);
  return { root };
}

/** `TokenStorageData.to_dict()`: its field order, None left out, the expiry an int. */
function groupToEntry(group: TokenGroup, identity: string | undefined): PyObject {
  const entry: PyObject = new Map();
  const put = (key: string, value: PyJson | undefined) => {
    if (value !== undefined && value !== null) entry.set(key, value);
  };
  put('resource_server', group.resource_server);
  put('identity_id', group.identity_id ?? identity);
  put('scope', group.scope);
  put('access_token', group.access_token);
  put('refresh_token', group.refresh_token);
  put('expires_at_seconds', new PyInt(String(Math.trunc(group.expires_at_seconds))));
  put('token_type', group.token_type);
  return entry;
}
