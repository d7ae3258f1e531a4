import type { Gare, GareAuthorizationParameters } from './gare-types.js';

/**
 * Reading a GARE out of an API error body with globus-sdk's `to_gare` rules: the root first,
 * then each `errors[]` entry (only when every entry is an object); per document the current
 * shape, then the four legacy shapes, first match wins. Same inputs, same decision.
 */

type Json = Record<string, unknown>;

/** A document that does not fit the shape being tried (Python's ValidationError). */
class NoMatch extends Error {}

/** The GARE in an API error body (or one of its `errors[]`), or null when there is none. */
export function parseGare(body: unknown): Gare | null {
  if (!isObject(body)) return null;
  const root = documentToGare(body);
  if (root !== null) return root;
  const errors = body['errors'];
  if (!Array.isArray(errors) || !errors.every(isObject)) return null;
  for (const entry of errors) {
    const gare = documentToGare(entry);
    if (gare !== null) return gare;
  }
  return null;
}

const SHAPES: readonly ((doc: Json) => Gare)[] = [
  currentShape,
  legacyAuthorizationParameters,
  legacyTransferConsent,
  legacyActionProviderConsent,
  legacyDependentConsent,
];

function documentToGare(doc: Json): Gare | null {
  for (const shape of SHAPES) {
    try {
      return shape(doc);
    } catch (error) {
      if (!(error instanceof NoMatch)) throw error;
    }
  }
  return null;
}

const PARAM_FIELDS = [
  'session_message',
  'session_required_identities',
  'session_required_policies',
  'session_required_single_domain',
  'session_required_mfa',
  'required_scopes',
  'prompt',
] as const;

function currentShape(doc: Json): Gare {
  const params = doc['authorization_parameters'];
  if (!isObject(params)) throw new NoMatch();
  return {
    ...extras(doc, ['code', 'authorization_parameters']),
    code: str(doc['code']),
    authorization_parameters: currentParameters(params),
  };
}

function currentParameters(params: Json): GareAuthorizationParameters {
  return compact({
    ...extras(params, PARAM_FIELDS),
    session_message: optStr(params['session_message']),
    session_required_identities: optStrList(params['session_required_identities']),
    session_required_policies: optStrList(params['session_required_policies']),
    session_required_single_domain: optStrList(params['session_required_single_domain']),
    session_required_mfa: optBool(params['session_required_mfa']),
    required_scopes: optStrList(params['required_scopes']),
    prompt: optStr(params['prompt']),
  });
}

/** Shape 1: any `authorization_parameters`; no code means AuthorizationRequired. */
function legacyAuthorizationParameters(doc: Json): Gare {
  const params = doc['authorization_parameters'];
  if (!isObject(params)) throw new NoMatch();
  // Python's `code or "AuthorizationRequired"`: every falsy value takes the default.
  const code = pythonFalsy(doc['code']) ? 'AuthorizationRequired' : str(doc['code']);
  const prompt = params['prompt'] ?? undefined;
  if (prompt !== undefined && prompt !== 'login') throw new NoMatch();
  // required_scopes is not a field of this shape in globus-sdk: it rides along as an extra.
  const known = PARAM_FIELDS.filter((field) => field !== 'required_scopes');
  const authorization_parameters = compact({
    ...extras(params, known),
    session_message: optStr(params['session_message']),
    session_required_identities: optStrList(params['session_required_identities']),
    session_required_policies: optStrListOrCommas(params['session_required_policies']),
    session_required_single_domain: optStrListOrCommas(params['session_required_single_domain']),
    session_required_mfa: optBool(params['session_required_mfa']),
    prompt,
  });
  if (
    authorization_parameters.required_scopes !== undefined &&
    !isStrList(authorization_parameters.required_scopes)
  ) {
    // Kept by Python as an opaque extra; dropped here so the field keeps its type.
    delete authorization_parameters.required_scopes;
  }
  return {
    ...extras(doc, ['code', 'authorization_parameters']),
    code,
    authorization_parameters,
  };
}

/** Shape 2: Transfer's ConsentRequired with `required_scopes` and `message`. */
function legacyTransferConsent(doc: Json): Gare {
  if (doc['code'] !== 'ConsentRequired') throw new NoMatch();
  const required_scopes = strList(doc['required_scopes']);
  return {
    ...extras(doc, ['code', 'required_scopes', 'authorization_parameters']),
    code: 'ConsentRequired',
    authorization_parameters: compact({
      required_scopes,
      session_message: optStr(doc['message']),
    }),
  };
}

/** Shape 3: older action providers' ConsentRequired with one `required_scope`. */
function legacyActionProviderConsent(doc: Json): Gare {
  if (doc['code'] !== 'ConsentRequired') throw new NoMatch();
  const scope = str(doc['required_scope']);
  const inner = doc['authorization_parameters'];
  return {
    ...extras(doc, ['code', 'required_scope', 'authorization_parameters']),
    code: 'ConsentRequired',
    authorization_parameters: compact({
      ...(isObject(inner) ? extras(inner, PARAM_FIELDS) : {}),
      required_scopes: [scope],
      session_message: optStr(doc['description']),
    }),
  };
}

/** Shape 4: Auth's own `dependent_consent_required` with `errors[0].unapproved_scopes`. */
function legacyDependentConsent(doc: Json): Gare {
  if (doc['error'] !== 'dependent_consent_required') throw new NoMatch();
  const errors = doc['errors'];
  const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
  if (!isObject(first)) throw new NoMatch();
  const scopes = 'unapproved_scopes' in first ? first['unapproved_scopes'] : [];
  return {
    code: 'ConsentRequired',
    authorization_parameters: { required_scopes: strList(scopes) },
  };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStrList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw new NoMatch();
  return value;
}

function strList(value: unknown): string[] {
  if (!isStrList(value)) throw new NoMatch();
  return [...value];
}

function optStr(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : str(value);
}

function optBool(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new NoMatch();
  return value;
}

function optStrList(value: unknown): string[] | undefined {
  return value === undefined || value === null ? undefined : strList(value);
}

/** Python's `str.split(",")`: an empty string gives `[""]`, as globus-sdk does. */
function optStrListOrCommas(value: unknown): string[] | undefined {
  return typeof value === 'string' ? value.split(',') : optStrList(value);
}

function pythonFalsy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '')
    return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** The fields of `doc` other than `known`: unknown fields are kept, never rejected. */
function extras(doc: Json, known: readonly string[]): Json {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !known.includes(key)));
}

/** Drops known fields that are unset, as globus-sdk's `to_dict` leaves out `None`. */
function compact(params: GareAuthorizationParameters): GareAuthorizationParameters {
  for (const field of PARAM_FIELDS) if (params[field] === undefined) delete params[field];
  return params;
}
