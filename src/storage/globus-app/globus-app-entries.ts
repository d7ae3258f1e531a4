/**
 * The entries of one namespace of GlobusApp's token file ↔ token groups, with GlobusApp's
 * rules: `TokenStorageData`'s checks on reading, one identity per namespace, and its
 * `to_dict()` on writing (field order, None left out, an int expiry, `identity_id` on every
 * entry); everything a change does not touch is kept as it was. Pure.
 */
import { IdentityMismatch, TokenFileCorrupt } from '../../errors.js';
import type { TokenGroup, TokensByResourceServer } from '../../tokens/token-group.js';
import type { GlobusAppDocument } from './globus-app-format.js';
import { PyInt, type PyJson, type PyObject } from './python-json.js';

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

/**
 * Why a Python GlobusApp would ask to log in again with these tokens (it never fails on
 * them): no auth.globus.org token with `openid` (GlobusApp always asks for it), or groups
 * without a refresh token (when the app asks for refresh tokens). Empty when neither.
 */
export function globusAppLoginNotes(tokens: TokensByResourceServer): string[] {
  const notes: string[] = [];
  const auth = tokens['auth.globus.org'];
  if (auth === undefined || !auth.scope.split(' ').includes('openid')) {
    notes.push('no auth.globus.org token with openid: a GlobusApp will ask to log in again.');
  }
  const noRefresh = Object.values(tokens).filter((group) => group.refresh_token === null);
  if (noRefresh.length > 0) {
    const names = noRefresh.map((group) => group.resource_server).join(', ');
    notes.push(
      `no refresh token for ${names}: a GlobusApp that asks for refresh tokens will ask to log in again.`,
    );
  }
  return notes;
}
